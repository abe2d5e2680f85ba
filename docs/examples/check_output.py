#!/usr/bin/env python3
"""check_output.py EXPECTED_FILE PROGRAM [ARGS...]

Runs PROGRAM with ARGS and fails unless it exits 0 and its standard output is
exactly the contents of EXPECTED_FILE. Used by docs/examples/meson.build.
"""
import difflib
import subprocess
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    expected_path, cmd = sys.argv[1], sys.argv[2:]
    with open(expected_path, encoding="utf-8") as f:
        expected = f.read()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    ok = True
    if proc.returncode != 0:
        print(f"{cmd[0]} exited with status {proc.returncode}", file=sys.stderr)
        ok = False
    if proc.stdout != expected:
        print(f"output differs from {expected_path}:", file=sys.stderr)
        sys.stderr.writelines(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                proc.stdout.splitlines(keepends=True),
                fromfile="expected",
                tofile="got",
            )
        )
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
