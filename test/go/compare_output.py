#!/usr/bin/env python3
"""compare_output.py EXPECTED CMD [ARG...]: run CMD and check that its standard
output equals the file EXPECTED byte for byte (used by test/meson.build to
re-run the Go programs under test/go/ against their committed tables).

On a mismatch it prints the first differing line of each and exits 1; if CMD
fails it exits with CMD's status."""
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    expected_path, cmd = sys.argv[1], sys.argv[2:]
    with open(expected_path, 'rb') as f:
        expected = f.read()
    run = subprocess.run(cmd, stdout=subprocess.PIPE)
    if run.returncode != 0:
        print('%s exited with status %d' % (' '.join(cmd), run.returncode))
        sys.exit(run.returncode or 1)
    if run.stdout == expected:
        print('%s: %d bytes match' % (expected_path, len(expected)))
        return
    want, got = expected.split(b'\n'), run.stdout.split(b'\n')
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else b'<end of file>'
        g = got[i] if i < len(got) else b'<end of output>'
        if w != g:
            print('%s differs from the output of %s at line %d:'
                  % (expected_path, ' '.join(cmd), i + 1))
            print('  committed: %r' % w)
            print('  program:   %r' % g)
            break
    print('regenerate the table with the program if the change is intended')
    sys.exit(1)


if __name__ == '__main__':
    main()
