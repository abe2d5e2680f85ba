#!/usr/bin/env python3
"""check_readme.py README SOURCE

Fails unless the first ```cpp block of README is exactly SOURCE, so the
README's example is always the program that the tests build and run.
"""
import re
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        readme = f.read()
    with open(sys.argv[2], encoding="utf-8") as f:
        source = f.read()
    m = re.search(r"^```cpp\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)
    if m is None:
        print(f"{sys.argv[1]}: no ```cpp block", file=sys.stderr)
        return 1
    if m.group(1) != source:
        print(f"the first ```cpp block of {sys.argv[1]} differs from {sys.argv[2]}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
