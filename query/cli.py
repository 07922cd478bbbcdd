"""The ``zhsearch`` command: a thin layer over ``indexer`` and ``query``.

Exit codes: 0 success, 1 no hits (only with ``--fail-on-empty``), 2 usage or
query error, 3 index problem, 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from query.language import __doc__ as LANGUAGE_HELP

EXIT_NO_HITS, EXIT_USAGE, EXIT_INDEX, EXIT_INTERRUPTED = 1, 2, 3, 130

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
    from query import Index, IndexNotFoundError, IndexVersionError

    try:
        return Index.open(path)
    except (IndexNotFoundError, IndexVersionError) as error:
        raise _fail(str(error), EXIT_INDEX) from None


def _index_path(path: Path | None) -> Path:
    from query import default_index_path

    return path if path is not None else default_index_path()


@app.command()
def index(
    sources: Annotated[list[Path], typer.Argument(
        help="JSON Lines files (.jsonl, .jsonl.gz), page text files (.txt) or folders of them.",
        show_default=False)],
    index_dir: IndexOption = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start a new, empty index first.")] = False,
    skip_bad: Annotated[bool, typer.Option(
        "--skip-bad", help="Index the good records of a file that has bad lines (default: skip the file).")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes that write the index.")] = os.cpu_count() or 1,
    as_json: JsonOption = False,
):
    """Add articles to the index; unchanged articles are skipped, edited ones replaced."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from indexer.schema import IndexVersionError
    from indexer.writer import index_paths

    target = _index_path(index_dir)
    progress = Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]:.0f} articles/s"), TimeElapsedColumn(),
                        console=_console(stderr=True), disable=as_json, transient=False)
    try:
        with progress:
            task = progress.add_task("index", total=None, rate=0.0)

            def advance(count: int) -> None:
                progress.advance(task, count)
                elapsed = progress.tasks[0].elapsed or 0
                progress.update(task, rate=progress.tasks[0].completed / elapsed if elapsed else 0.0)

            report = index_paths(sources, target, rebuild=rebuild, skip_bad=skip_bad, procs=jobs,
                                 on_article=advance)
    except IndexVersionError as error:
        raise _fail(str(error), EXIT_INDEX) from None
    except KeyboardInterrupt:
        _console(stderr=True).print("interrupted: what was committed before stays in the index")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    summary = {"index": str(target), "added": report.added, "updated": report.updated,
               "unchanged": report.unchanged, "deleted": report.deleted, "files": report.files,
               "problems": [str(p) for p in report.problems]}
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        console = _console()
        console.print(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
                      f"{report.deleted} removed, from {report.files} files into {target}")
        for problem in report.problems:
            console.print(f"  skipped {problem}", markup=False)


@app.command(help="Search the index, best matches first.\n\n\b\n" + LANGUAGE_HELP.split("\n\n")[1])
def search(
    query: Annotated[str, typer.Argument(help="The query (see above).", show_default=False)],
    index_dir: IndexOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Hits to show.")] = 10,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Hits to skip (paging).")] = 0,
    sort: Annotated[str, typer.Option("--sort", help="relevance, date (oldest first) or -date.")] = "relevance",
    as_json: JsonOption = False,
    fail_on_empty: Annotated[bool, typer.Option("--fail-on-empty", help="Exit with 1 when nothing matches.")] = False,
):
    """Search the index."""
    from query import QueryError

    ix = _open_index(index_dir)
    try:
        results = ix.search(query, limit=limit, offset=offset, sort=sort)
    except (QueryError, ValueError) as error:
        raise _fail(str(error), EXIT_USAGE) from None
    if as_json:
        print(json.dumps(_results_json(results), ensure_ascii=False))
    else:
        _print_results(results, offset)
    if fail_on_empty and not results.total:
        raise typer.Exit(EXIT_NO_HITS)


def _results_json(results) -> dict:
    return {
        "total": results.total,
        "hits": [{
            "id": h.id, "score": h.score, "title": h.title, "paper": h.paper,
            "date": h.date.isoformat() if h.date else None, "page": h.page,
            "snippet": h.snippet, "snippet_start": h.snippet_start,
            "highlights": [list(span) for span in h.highlights],
        } for h in results.hits],
    }


def _print_results(results, offset: int) -> None:
    from rich.text import Text

    console = _console()
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
