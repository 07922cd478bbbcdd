"""The ``zhsearch`` command: a thin layer over ``indexer`` and ``query``.

Exit codes: 0 success, 1 no hits (only with ``--fail-on-empty``), 2 usage or
query error, 3 index problem, 130 interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from query.language import __doc__ as LANGUAGE_HELP

EXIT_NO_HITS, EXIT_USAGE, EXIT_INDEX, EXIT_INTERRUPTED = 1, 2, 3, 130
#: Values per facet the text output shows (``--json`` has them all).
FACET_VALUES_SHOWN = 12
#: Problems of an indexing run listed in the terminal (``--json`` lists every one).
SHOWN_PROBLEMS = 20

app = typer.Typer(
    help="Full-text search for Chinese newspaper archives.\n\n"
         "Index JSON Lines articles or newspaper page text, then search them. "
         "The index lives in $ZHSEARCH_INDEX, else ~/.local/share/zhsearch/index "
         "(--index overrides both).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

IndexOption = Annotated[Optional[Path], typer.Option(
    "--index", "-i", help="Index folder [default: $ZHSEARCH_INDEX or ~/.local/share/zhsearch/index].",
    show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _fail(message: str, code: int) -> typer.Exit:
    _console(stderr=True).print(f"[bold red]error:[/] {message}", markup=True)
    return typer.Exit(code)


def _open_index(path: Path | None):
    from query import Index, IndexDamagedError, IndexNotFoundError, IndexVersionError

    try:
        return Index.open(path)
    except (IndexNotFoundError, IndexVersionError, IndexDamagedError) as error:
        raise _fail(str(error), EXIT_INDEX) from None


def _index_path(path: Path | None) -> Path:
    from query import default_index_path

    return path if path is not None else default_index_path()


@app.command()
def index(
    sources: Annotated[list[Path], typer.Argument(
        help="JSON Lines files (.jsonl, .jsonl.gz), page text files (.txt) or folders of them. "
             "Page files named PAPER/YYYY-MM-DD/NN.txt carry their paper, date and page.",
        show_default=False)],
    index_dir: IndexOption = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start a new, empty index first.")] = False,
    skip_bad: Annotated[bool, typer.Option(
        "--skip-bad", help="Index the good records of a file with bad lines (default: stop before that file).")] = False,
    paper: Annotated[Optional[str], typer.Option("--paper", help="Paper name for page files.")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Issue date (YYYY-MM-DD) for page files.")] = None,
    page: Annotated[Optional[int], typer.Option("--page", min=0, help="Page number for one page file.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes that write the index.")] = os.cpu_count() or 1,
    wait: Annotated[float, typer.Option("--wait", min=0, help="Seconds to wait for another indexing run to finish.")] = 5.0,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Articles in the first commit; later ones grow with the run, up to 4 times this (an interrupted run keeps whole commits, at least half its work).")] = 5000,
    user_dict: Annotated[Optional[Path], typer.Option(
        "--userdict", help="Extra words to keep whole (names, places): a UTF-8 file, one word a line. "
                           "Fixed when the index is created; a different one needs --rebuild.")] = None,
    as_json: JsonOption = False,
):
    """Add articles to the index; unchanged articles are skipped, edited ones replaced."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from indexer.issues import PageMeta
    from indexer.schema import IndexDamagedError, IndexVersionError
    from indexer.userdict import UserDictError, read_words
    from indexer.writer import IndexBusyError, index_paths

    target = _index_path(index_dir)
    meta = PageMeta(paper, _issue_date(date), page)
    try:
        words = read_words(user_dict) if user_dict else None
    except UserDictError as error:
        raise _fail(str(error), EXIT_USAGE) from None
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]:.0f} articles/s"), TimeElapsedColumn(),
                        console=_console(stderr=True), disable=as_json)
    counted = [0]

    def advance(count: int) -> None:
        counted[0] += count
        task = progress.tasks[0]
        progress.update(task.id, advance=count, rate=task.completed / task.elapsed if task.elapsed else 0.0)

    def merging(articles: int) -> None:
        progress.update(progress.tasks[0].id, description=f"merging segments of {articles} articles")

    try:
        with _terminate_as_interrupt(), progress:
            progress.add_task("indexing", total=None, rate=0.0)
            report = index_paths(sources, target, rebuild=rebuild, skip_bad=skip_bad, procs=jobs,
                                 wait=wait, batch_size=batch, user_words=words, page_meta=meta,
                                 on_article=advance, on_merge=merging)
    except (IndexVersionError, IndexBusyError, IndexDamagedError) as error:
        raise _fail(str(error), EXIT_INDEX) from None
    except KeyboardInterrupt:
        _console(stderr=True).print(
            f"interrupted after reading {counted[0]} articles: the index holds {_article_count(target)} "
            f"articles, everything committed before the interruption (run the same command again to "
            f"finish)", markup=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    _print_report(report, target, as_json)
    if report.stopped_at:
        raise _fail(f"stopped at {report.stopped_at}: nothing of it was indexed; "
                    f"fix the lines listed above or use --skip-bad", EXIT_USAGE)


@app.command()
def optimize(
    index_dir: IndexOption = None,
    wait: Annotated[float, typer.Option("--wait", min=0, help="Seconds to wait for an indexing run to finish.")] = 5.0,
    as_json: JsonOption = False,
):
    """Merge the index's segments (into one, or into segments of up to 30,000
    articles on a larger index) and drop deleted articles: searches read fewer files."""
    from indexer.schema import IndexDamagedError, IndexVersionError
    from indexer.writer import IndexBusyError, optimize_index

    target = _index_path(index_dir)
    try:
        with _terminate_as_interrupt(), _console(stderr=True).status("merging segments", spinner="dots"):
            before, after = optimize_index(target, wait=wait)
    except (FileNotFoundError, IndexVersionError, IndexBusyError, IndexDamagedError) as error:
        raise _fail(str(error), EXIT_INDEX) from None
    except KeyboardInterrupt:
        _console(stderr=True).print("interrupted: the index is whole, merged or as it was", markup=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if as_json:
        print(json.dumps({"index": str(target), "segments_before": before, "segments_after": after}))
    else:
        _console().print(f"{target}: {before} segments → {after}", markup=False)


def _article_count(path: Path) -> str:
    from query import Index

    try:
        return str(Index.open(path).stats()["articles"])
    except Exception:  # the count is a courtesy; the interruption is what is reported
        return "no"


def _issue_date(text: str | None):
    import datetime as dt

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(f"--date must be YYYY-MM-DD, not {text!r}", EXIT_USAGE) from None


@contextmanager
def _terminate_as_interrupt():
    """Treat SIGTERM like Ctrl-C: stop cleanly, keeping what was committed."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_report(report, target: Path, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"index": str(target), "added": report.added, "updated": report.updated,
                          "unchanged": report.unchanged, "deleted": report.deleted, "files": report.files,
                          "stopped_at": report.stopped_at, "problems": [str(p) for p in report.problems],
                          "notes": report.notes}, ensure_ascii=False))
        return
    console = _console()
    console.print(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
                  f"{report.deleted} removed, from {report.files} files into {target}", markup=False)
    for note in report.notes:
        console.print(f"note: {note}", markup=False)
    if report.problems:
        console.print(f"{len(report.problems)} problems (not indexed):", markup=False)
    for problem in report.problems[:SHOWN_PROBLEMS]:
        console.print(f"  {problem}", markup=False)
    if len(report.problems) > SHOWN_PROBLEMS:
        console.print(f"  … and {len(report.problems) - SHOWN_PROBLEMS} more (--json lists them all)", markup=False)


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Page text files (.txt).", show_default=False)],
    date: Annotated[Optional[str], typer.Option("--date", help="Issue date (YYYY-MM-DD), to resolve datelines.")] = None,
    as_json: JsonOption = False,
):
    """Show how page files split into articles and teasers, before indexing them."""
    from indexer.issues import PageMeta, page_meta
    from indexer.pages import parse_page
    from indexer.sources import SourceError, decode, read_bytes

    given = PageMeta(date=_issue_date(date))
    console = _console()
    failed = False
    for file in files:
        try:
            text = decode(read_bytes(file))
        except SourceError as error:
            _console(stderr=True).print(f"{file}: {error}", markup=False)
            failed = True
            continue
        records = parse_page(text, issue_date=page_meta(file, given).date)
        if as_json:
            print(json.dumps({"source": str(file), "records": [r.to_dict() for r in records]}, ensure_ascii=False))
            continue
        console.print(f"{file}: {sum(r.kind == 'article' for r in records)} articles, "
                      f"{sum(r.kind == 'teaser' for r in records)} teasers", style="bold", markup=False)
        for number, record in enumerate(records, 1):
            _print_record(console, number, record)
    if failed:
        raise typer.Exit(EXIT_USAGE)


def _print_record(console, number: int, record) -> None:
    from rich.text import Text

    title = " / ".join(record.title) or "(no headline) " + record.body[:30]
    facts = [f"{record.kind}"]
    facts += [f"{k} {v}" for k, v in (("agency", record.agency), ("place", record.place), ("date", record.date),
                                     ("see page", record.see_page), ("continued to", record.continued_to),
                                     ("continued from", record.continued_from)) if v]
    facts += [f"{k} {'、'.join(v)}" for k, v in (("reporters", record.reporters),
                                                 ("correspondents", record.correspondents)) if v]
    lines = ", ".join(f"{a}-{b}" for a, b in record.lines)
    console.print(Text.assemble((f"{number:2d}. ", "bold"), (title, "cyan")))
    console.print(Text(f"    {' · '.join(facts)} · lines {lines} · {len(record.body)} characters", style="dim"))


@app.command(help="Search the index, best matches first.\n\n\b\n" + LANGUAGE_HELP.split("\n\n")[1])
def search(
    query: Annotated[str, typer.Argument(help="The query (see above).", show_default=False)],
    index_dir: IndexOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Hits to show.")] = 10,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Hits to skip (paging).")] = 0,
    sort: Annotated[str, typer.Option("--sort", help="relevance, date (oldest first) or -date.")] = "relevance",
    since: Annotated[Optional[str], typer.Option("--since", help="Only issues on or after this date (2020-03-01, 2020-03, 2020).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Only issues on or before this date.")] = None,
    paper: Annotated[Optional[str], typer.Option("--paper", help="Only this paper (人民日报).")] = None,
    page: Annotated[Optional[str], typer.Option("--page", help="Only this page or range (1, 1-4).")] = None,
    reporter: Annotated[Optional[str], typer.Option("--reporter", help="Only articles by this reporter.")] = None,
    facet: Annotated[Optional[list[str]], typer.Option(
        "--facet", help="Count matches by reporter, correspondent, paper, page or month (repeatable).")] = None,
    as_json: JsonOption = False,
    fail_on_empty: Annotated[bool, typer.Option("--fail-on-empty", help="Exit with 1 when nothing matches.")] = False,
):
    """Search the index."""
    from query import IndexDamagedError, QueryError
    from query.language import with_filters

    ix = _open_index(index_dir)
    try:
        full = with_filters(query, since=since, until=until, paper=paper, page=page, reporter=reporter)
        results = ix.search(full, limit=limit, offset=offset, sort=sort, facets=tuple(facet or ()))
    except IndexDamagedError as error:
        raise _fail(str(error), EXIT_INDEX) from None
    except (QueryError, ValueError) as error:
        raise _fail(str(error), EXIT_USAGE) from None
    if as_json:
        print(json.dumps(_results_json(results), ensure_ascii=False))
    else:
        _print_results(results, offset)
    if fail_on_empty and not results.total:
        raise typer.Exit(EXIT_NO_HITS)


@app.command()
def similar(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="The article to start from.")],
    index_dir: IndexOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Articles to show.")] = 10,
    as_json: JsonOption = False,
):
    """Articles most like a given one (to follow a story across days)."""
    ix = _open_index(index_dir)
    try:
        results = ix.similar(article_id, limit=limit)
    except KeyError:
        raise _fail(f"no article with id {article_id!r}", EXIT_USAGE) from None
    if as_json:
        print(json.dumps(_results_json(results), ensure_ascii=False))
    else:
        _console().print(f"key terms: {results.query}", style="dim", markup=False)
        _print_results(results, 0)


def _results_json(results) -> dict:
    return {
        "total": results.total,
        "hits": [{
            "id": h.id, "score": h.score, "title": h.title, "paper": h.paper,
            "date": h.date.isoformat() if h.date else None, "page": h.page,
            "snippet": h.snippet, "snippet_start": h.snippet_start,
            "highlights": [list(span) for span in h.highlights],
        } for h in results.hits],
        **({"facets": {name: [[value, count] for value, count in counts]
                       for name, counts in results.facets.items()}} if results.facets else {}),
        **({"pinyin": results.pinyin} if results.pinyin else {}),
        **({"suggestion": results.suggestion} if results.suggestion else {}),
    }


def _print_results(results, offset: int) -> None:
    from rich.text import Text

    console = _console()
    if results.pinyin:
        console.print(Text(f"read as pinyin: {results.pinyin}", style="dim"))
    if results.suggestion:
        console.print(Text.assemble(("did you mean ", "yellow"), (results.suggestion, "bold yellow"), ("?", "yellow")))
    for name, counts in results.facets.items():
        shown = "  ".join(f"{value} {count}" for value, count in counts[:FACET_VALUES_SHOWN])
        console.print(Text.assemble((f"{name}: ", "bold"), shown or "-"))
    if not results.total:
        console.print("no matches")
        return
    shown = len(results.hits)
    console.print(Text(f"{results.total} matches" + (f", showing {offset + 1}–{offset + shown}" if shown else ""),
                       style="dim"))
    for rank, hit in enumerate(results.hits, offset + 1):
        where = " · ".join(str(x) for x in (hit.paper, hit.date, f"{hit.page}版" if hit.page else None) if x)
        console.print(Text.assemble((f"{rank}. ", "bold"), (hit.display_title, "bold cyan"),
                                    (f"  {where}  ", "dim"), (f"[{hit.score:.2f}] {hit.id}", "dim")))
        console.print(_snippet_text(hit))
        console.print()


def _snippet_text(hit):
    from rich.text import Text

    indent = 3
    text = Text(" " * indent + hit.snippet.replace("\n", " "))
    shift = hit.snippet_start - indent
    for start, end in hit.highlights:
        text.stylize("bold black on yellow", max(indent, start - shift), min(len(text), end - shift))
    return text


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="The article id (see search results).")],
    index_dir: IndexOption = None,
    as_json: JsonOption = False,
):
    """Print one article in full."""
    article = _open_index(index_dir).get(article_id)
    if article is None:
        raise _fail(f"no article with id {article_id!r}", EXIT_USAGE)
    if as_json:
        data = {"id": article.id, "title": list(article.title), "paper": article.paper,
                "date": article.date.isoformat() if article.date else None, "page": article.page,
                "body": article.body, **article.fields}
        print(json.dumps(data, ensure_ascii=False))
        return
    console = _console()
    for line in article.title:
        console.print(line, style="bold", markup=False)
    where = " · ".join(str(x) for x in (article.paper, article.date, f"{article.page}版" if article.page else None) if x)
    console.print(f"{where}  {article.id}", style="dim", markup=False)
    for name in ("reporters", "correspondents"):
        if article.fields.get(name):
            console.print(f"{name}: {article.fields[name]}", style="dim", markup=False)
    console.print()
    console.print(article.body, markup=False)


@app.command()
def stats(index_dir: IndexOption = None, as_json: JsonOption = False):
    """Articles, papers, date range and size of the index."""
    info = _open_index(index_dir).stats()
    if as_json:
        print(json.dumps(info, ensure_ascii=False))
        return
    console = _console()
    console.print(f"index       {info['path']}", markup=False)
    console.print(f"articles    {info['articles']}")
    console.print(f"papers      {', '.join(info['papers']) or '-'}", markup=False)
    console.print(f"dates       {info['first_date'] or '-'} … {info['last_date'] or '-'}")
    console.print(f"size        {info['size_bytes'] / 1e6:.1f} MB in {info['segments']} segments")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
