"""Run one page's ``>>>`` blocks as typed at the prompt of ``python3 -m hcpsdk.emulator shell``.

The doctest builder (``_doctest_env.py``) starts the shell with this file and a JSON file of
the page's blocks. The blocks run, in order, in a namespace holding exactly what the shell's
prompt holds (the names the shell defines, such as ``hcp``), without this file's own names.
The last line printed is ``{"tried": N, "failed": M}``.
"""
_PROMPT = dict(globals())  # first of all: what the prompt would hold

import doctest  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

#: "..." in an expected output stands for text that differs from run to run (addresses,
#: times); blanks and line breaks in outputs are compared loosely.
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.DONT_ACCEPT_TRUE_FOR_1

_RUNNER_ONLY = ("__file__", "__cached__", "__loader__", "__spec__", "__package__", "_PROMPT")


def main(spec_file: str) -> None:
    with open(spec_file) as f:
        spec = json.load(f)
    globs = {k: v for k, v in _PROMPT.items() if k not in _RUNNER_ONLY}
    globs.update(__name__="__console__", __doc__=None)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for block in spec["blocks"]:
        test = parser.get_doctest(block["text"], globs, spec["docname"], block["source"],
                                  max(block["line"] - 1, 0))
        test.globs = globs  # DocTest copies them; the page's blocks share one prompt
        runner.run(test, clear_globs=False)
    sys.stdout.flush()
    print(json.dumps({"tried": runner.tries, "failed": runner.failures}), flush=True)


main(sys.argv[1])
