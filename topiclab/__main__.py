"""``python -m topiclab`` runs the command-line interface."""

from topiclab.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
