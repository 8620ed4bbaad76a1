"""`python -m bot COMMAND` (also the console script `tongxin`)."""
from bot.cli import main

if __name__ == "__main__":
    main()
