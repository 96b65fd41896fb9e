"""``python -m corpusconv``: the same as the ``corpusconv`` command."""

from .cli import main

if __name__ == "__main__":
    main()
