"""The `dari` command line: parses options and calls into corpus/ and aligners/."""

from __future__ import annotations

import click

from corpus.store import DEFAULT_STORE

store_option = click.option(
    "--store",
    "store_path",
    default=DEFAULT_STORE,
    show_default=True,
    envvar="DARI_STORE",
    type=click.Path(dir_okay=False),
    help="SQLite corpus store.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dari")
def main() -> None:
    """Dari (다리): English news articles + Korean originals -> scored parallel corpora."""


if __name__ == "__main__":
    main()
