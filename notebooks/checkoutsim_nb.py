"""Helpers shared by the checkoutsim notebooks: find or build the binary, run
it, read its JSON, and show its charts and small tables.

The notebooks import this module after putting notebooks/ on sys.path (their
first cell does it), so they run the same from the repository root, from
notebooks/, under `jupyter notebook` or headless under `jupyter nbconvert
--execute`.

The binary is, in order of preference:
  1. $CHECKOUTSIM, if set (CI builds it once and sets it); a relative path
     is taken from the repository root;
  2. a fresh `go build -o <temp dir>/checkoutsim ./cmd/checkoutsim` from the
     repository root (seconds with a warm build cache), so the notebook never
     runs a stale binary;
  3. ./checkoutsim in the repository root, if Go is not installed.

Only the standard library and IPython are used.
"""
import html
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import tempfile

from IPython.display import HTML, Image, Markdown, display


def find_root(start=None):
    """The repository root: the nearest directory up from start (default:
    the working directory) holding go.mod and notebooks/."""
    here = pathlib.Path(start or os.getcwd()).resolve()
    for p in [here, *here.parents]:
        if (p / "go.mod").is_file() and (p / "notebooks").is_dir():
            return p
    raise RuntimeError("cannot find the checkoutsim repository (go.mod and notebooks/) above %s" % here)


ROOT = find_root()
_binary = None
_workdir = None


def _go():
    go = shutil.which("go")
    if go is None and os.path.exists("/usr/local/go/bin/go"):
        go = "/usr/local/go/bin/go"
    return go


def binary():
    """Path of the checkoutsim binary (see the module comment)."""
    global _binary
    if _binary:
        return _binary
    env = os.environ.get("CHECKOUTSIM")
    if env:
        path = pathlib.Path(env)
        if not path.is_absolute():
            path = ROOT / path
        if not os.access(path, os.X_OK):
            raise RuntimeError("CHECKOUTSIM=%s is not an executable file" % env)
        _binary = str(path)
        return _binary
    go = _go()
    if go:
        out = pathlib.Path(tempfile.mkdtemp(prefix="checkoutsim-bin-")) / "checkoutsim"
        subprocess.run([go, "build", "-o", str(out), "./cmd/checkoutsim"], cwd=ROOT, check=True)
        _binary = str(out)
        return _binary
    local = ROOT / "checkoutsim"
    if os.access(local, os.X_OK):
        _binary = str(local)
        return _binary
    raise RuntimeError("no checkoutsim binary: set CHECKOUTSIM, install Go, or build ./checkoutsim")


def workdir(name):
    """A fresh directory for one step's output (charts, JSON), under a
    temporary directory of this session, so nothing is written into the
    repository."""
    global _workdir
    if _workdir is None:
        _workdir = pathlib.Path(tempfile.mkdtemp(prefix="checkoutsim-nb-"))
    d = _workdir / name
    d.mkdir(parents=True, exist_ok=True)
    return d


def cli(*args, show=True):
    """Runs checkoutsim with args from the repository root (so relative
    paths such as notebooks/data/x.csv work) and returns its stdout. A
    failure raises with the command's error output, which stops the
    notebook (and fails CI)."""
    args = [str(a) for a in args]
    if show:
        print("$ checkoutsim " + " ".join(shlex.quote(a) for a in args))
    p = subprocess.run([binary(), *args], cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("checkoutsim %s: exit status %d\n%s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


def cli_json(*args):
    """Runs checkoutsim with -o json appended and parses the output."""
    return json.loads(cli(*args, "-o", "json"))


def images(directory, *names, width=720):
    """Shows the PNG charts directory/NAME.png for each name (a name may be a
    suffix: the first file ending in NAME.png is shown)."""
    directory = pathlib.Path(directory)
    files = sorted(directory.glob("*.png"))
    for name in names:
        match = [f for f in files if f.name == name + ".png" or f.name.endswith(name + ".png")]
        if not match:
            raise FileNotFoundError("no chart *%s.png in %s (have: %s)" % (name, directory, ", ".join(f.name for f in files)))
        display(Image(filename=str(match[0]), width=width))


def table(rows, headers):
    """Shows rows (lists of cells) as an HTML table; floats are printed with
    4 significant digits."""
    def cell(v):
        if isinstance(v, float):
            v = "%.4g" % v
        return "<td style='text-align:right'>%s</td>" % html.escape(str(v))
    head = "".join("<th>%s</th>" % html.escape(h) for h in headers)
    body = "".join("<tr>%s</tr>" % "".join(cell(v) for v in r) for r in rows)
    display(HTML("<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (head, body)))


def ci(obj, key, scale=1.0, fmt="%.3g"):
    """obj[key] with its 95% interval, e.g. '1.23 [1.10, 1.36]' (the interval
    is left out when the JSON has none: fewer than two replications)."""
    v = obj[key] * scale
    iv = obj.get(key + "_ci95")
    if iv is None:
        return fmt % v
    return (fmt + " [" + fmt + ", " + fmt + "]") % (v, iv[0] * scale, iv[1] * scale)


def md(text):
    """Shows text as Markdown (for conclusions computed from the results)."""
    display(Markdown(text))


def seed_args(seed):
    """The --seed flag for seed, or nothing when seed is None (the
    scenario's own seed)."""
    return [] if seed is None else ["--seed", seed]
