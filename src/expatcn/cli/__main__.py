"""python -m expatcn.cli"""

from expatcn.cli import main

main()
