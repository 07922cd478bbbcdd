"""Writing with several processes: Whoosh's ``MpWriter``, made safe.

Each worker process analyses its share of the articles and writes its own
segment; the parent adds the segments to the index in one commit. Stock
``MpWriter`` has pitfalls this class closes:

* a worker that fails loses its documents silently (the parent waits one
  second for results and commits whatever came back) — here any failed or
  missing worker fails the commit, and nothing of the batch is committed;
* ``cancel()`` cannot stop workers (it flips a flag in the parent's copy) —
  here workers are terminated;
* workers outlive a killed parent, blocked on their queue and holding the
  index lock they inherited — here they die with the parent (Linux
  ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import sys

from whoosh.multiproc import MpWriter, SubWriterTask

from indexer.postings import BulkWriting, SegmentWriter

#: Articles per job file handed to a worker.
JOB_SIZE = 256
_PR_SET_PDEATHSIG = 1


class IndexingError(Exception):
    """A worker process failed; nothing of the batch was committed."""


def _die_with_parent(parent: int) -> None:
    """Be killed when process ``parent`` dies; exit now if it already has
    (killed between the fork and this call, it cannot signal any more)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers may outlive a killed parent
        pass
    if os.getppid() != parent:
        os._exit(1)


class _Worker(SubWriterTask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._parent = os.getpid()  # before the fork: the writer's process

    def run(self):
        _die_with_parent(self._parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
        try:
            self._index_jobs()
        except Exception as error:  # reported to the parent through the exit code
            sys.stderr.write(f"zhsearch worker {os.getpid()} failed: {error!r}\n")
            sys.stderr.flush()
            os._exit(1)


    def _index_jobs(self):
        """``SubWriterTask.run`` (multisegment) with our ``SegmentWriter``."""
        self.writer = SegmentWriter(self.storage.open_index(self.indexname), _lk=False, **self.kwargs)
        while (job := self.jobqueue.get()) is not None:
            self._process_file(*job)
        self.resultqueue.put((None, self.writer.pool.fieldnames, self.writer._finalize_segment()),
                             timeout=5)


class ParallelWriter(BulkWriting, MpWriter):
    """An ``MpWriter`` (one segment per worker) that never commits a partial
    batch, and merges segments as ``indexer.postings.SegmentWriter`` does."""

    def __init__(self, ix, procs: int, writer_args: dict):
        super().__init__(ix, procs=procs, batchsize=JOB_SIZE, subargs=writer_args,
                         multisegment=True, _lk=False, **writer_args)
        self._use_term_pool(writer_args["limitmb"])

    def _new_task(self):
        task = _Worker(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                       self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self):
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
            task.join()
        self.tasks = []
        super().cancel()

    def _commit(self, mergetype, optimize, merge):
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        segments = self._results()
        for task in self.tasks:
            task.join()
        finalsegments = self._merge_segments(mergetype, optimize, merge) + segments
        if self._added:  # the merge policy moved small segments into this writer
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def _results(self) -> list:
        """One finished segment from each worker, or ``IndexingError``."""
        segments = []
        while len(segments) < len(self.tasks):
            try:
                segments.append(self.resultqueue.get(timeout=0.5)[2])
                continue
            except queue.Empty:
                pass
            failed = [t for t in self.tasks if t.exitcode not in (None, 0)]
            finished = all(t.exitcode is not None for t in self.tasks)
            if failed or finished and self.resultqueue.empty():
                self.cancel()
                raise IndexingError(f"{len(failed) or 'a'} indexing worker(s) failed; "
                                    f"nothing of this batch was committed")
        return segments
