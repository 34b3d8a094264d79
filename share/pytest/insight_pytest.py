"""insight_pytest - record a pytest run for insight as a report-log stream.

insight loads this plugin with ``-p insight_pytest`` when it runs pytest
(``insight session run``). When the environment variable INSIGHT_REPORT_LOG
names a file, the plugin writes pytest's public report-log schema there (the
format of pytest-reportlog's ``--report-log``): one JSON object per line,

    {"$report_type": "SessionStart", "pytest_version": ...}
    {"$report_type": "TestReport", ...}       every setup/call/teardown report,
                                              including reruns (outcome "rerun")
    {"$report_type": "CollectReport", ...}    failed collections only
    {"$report_type": "WarningMessage", "warning_message": ..., "when": ...,
     "nodeid": ..., "location": ..., "category": ..., "filename": ...,
     "lineno": ..., "message": ...}
    {"$report_type": "SessionFinish", "exitstatus": ...}

TestReport and CollectReport lines are exactly what pytest's own
``pytest_report_to_serializable`` hook gives (so ``wasxfail``, ``rerun`` and
``user_properties`` are kept), plus one extension key that other consumers
ignore: ``"markers"``, the names of the marks that apply to the test item
(its own, its class's and its module's, nearest first, each name once;
keywords such as the test's or module's name are not marks).

Every line is written with a single write() as soon as it is known, so a run
killed with SIGKILL leaves every finished report on disk, and only complete
lines. The file is UTF-8 and always valid JSON lines: values that JSON cannot
hold are written as their str(), and text that is not valid Unicode is
replaced.

Captured output, messages and tracebacks often hold what the environment
holds. The values of environment variables whose names look secret (they
contain TOKEN, SECRET or PASSWORD, end in _KEY, or match a name or pattern in
INSIGHT_SECRET_VARS, separated by commas, colons or white space; names
compared without regard to case) are written as ``***``, the rule insight
applies to what it stores. Values shorter than 6 characters are left alone.

Two more variables serve ``insight session run --shard``. When
INSIGHT_COLLECT_FILE names a file, the plugin writes there the node ids of the
collected tests, one a line, once collection is finished (after -k, -m and
every other deselection). When INSIGHT_SELECT_FILE names a file of node ids,
one a line, the tests not in it are deselected, as -k deselects them; a long
list thus never goes through the command line.

Without any of these variables the plugin registers nothing and does nothing.
It never changes pytest's console output or exit status, except that tests
deselected by INSIGHT_SELECT_FILE are counted as deselected. It needs nothing but
the Python standard library and pytest 7 or later.
"""

import fnmatch
import json
import os
import re

import pytest

ENV_VAR = "INSIGHT_REPORT_LOG"
COLLECT_VAR = "INSIGHT_COLLECT_FILE"
SELECT_VAR = "INSIGHT_SELECT_FILE"

# One encoder for the whole run: json.dumps() with options builds a new one per call.
# default=str keeps any odd attribute a plugin put on a report.
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode

# Exact types that can never be os.PathLike (they have no __fspath__).
_PLAIN_TYPES = frozenset((str, int, float, bool, type(None), list, tuple, dict))


def _mark_names(item):
    """Return the names of the marks applying to ``item``, nearest first, once each."""
    return list(dict.fromkeys([mark.name for mark in item.iter_markers()]))


def _only_pytest_serializes(hook):
    """True when pytest's own pytest_report_to_serializable is the only implementation."""
    impls = hook.pytest_report_to_serializable.get_hookimpls()
    return len(impls) == 1 and getattr(impls[0].function, "__module__", None) == "_pytest.reports"


def fast_serializable(report):
    """pytest_report_to_serializable(report) for a TestReport without longrepr, or None.

    Such reports are most of a run (every passed setup, call and teardown),
    and for them pytest's serialisation is plain: a copy of the report's
    attributes, path-like values as strings, "result" as None. This does the
    same without pytest's per-call work (hook dispatch, typing annotations
    evaluated on every call, an ABC instance check on every value). The caller
    must use it only while pytest's own implementation is the only one
    (_only_pytest_serializes). Any other report gives None, and the hook
    serialises it.
    """
    if type(report) is not pytest.TestReport or report.longrepr is not None:
        return None
    data = report.__dict__.copy()
    data["longrepr"] = None
    for name, value in data.items():
        if type(value) not in _PLAIN_TYPES and isinstance(value, os.PathLike):
            data[name] = os.fspath(value)
        elif name == "result":
            data[name] = None
    data["$report_type"] = "TestReport"
    return data


SECRET_VARS = "INSIGHT_SECRET_VARS"
SECRET_MIN = 6
SECRET_MASK = "***"


def _looks_secret(name, extra):
    upper = name.upper()
    if "TOKEN" in upper or "SECRET" in upper or "PASSWORD" in upper or upper.endswith("_KEY"):
        return True
    return any(fnmatch.fnmatchcase(upper, pattern.upper()) for pattern in extra)


def secret_values(environ):
    """The values to hide, longest first, as they appear inside a JSON string."""
    extra = [w for w in re.split(r"[,:\s]+", environ.get(SECRET_VARS, "")) if w]
    values = {
        value
        for name, value in environ.items()
        if len(value.encode("utf-8", errors="replace")) >= SECRET_MIN and _looks_secret(name, extra)
    }
    encoded = {_encode(value)[1:-1] for value in values}
    return sorted(encoded, key=len, reverse=True)


class MarkerRecorder:
    """Attach the item's mark names to every TestReport made for it.

    This runs wherever the test runs (also in pytest-xdist workers), and the
    attribute travels with the report, so the writer sees it in any process.
    """

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report is not None:
            report.markers = _mark_names(item)


class ReportLogWriter:
    """Write the report-log stream to one file, a line per event."""

    def __init__(self, config, path):
        self._config = config
        self._path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        self._secrets = secret_values(os.environ)

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _write(self, data):
        if self._fd is None:
            return
        text = _encode(data)
        for value in self._secrets:
            if value in text:
                text = text.replace(value, SECRET_MASK)
        # errors="replace" keeps the file valid UTF-8 (lone surrogates).
        line = (text + "\n").encode("utf-8", errors="replace")
        written = os.write(self._fd, line)
        if written < len(line):
            view = memoryview(line)[written:]
            while view:
                written = os.write(self._fd, view)
                view = view[written:]

    def _serialize(self, report):
        hook = self._config.hook
        if _only_pytest_serializes(hook):
            data = fast_serializable(report)
            if data is not None:
                return data
        data = hook.pytest_report_to_serializable(config=self._config, report=report)
        if data is not None:
            data["$report_type"] = type(report).__name__
        return data

    def pytest_sessionstart(self):
        self._write({"$report_type": "SessionStart", "pytest_version": pytest.__version__})

    def pytest_runtest_logreport(self, report):
        data = self._serialize(report)
        if data is not None:
            self._write(data)

    def pytest_collectreport(self, report):
        if report.failed:
            data = self._serialize(report)
            if data is not None:
                self._write(data)

    def pytest_warning_recorded(self, warning_message, when, nodeid, location):
        category = warning_message.category
        self._write(
            {
                "$report_type": "WarningMessage",
                "warning_message": "%s: %s"
                % (category.__name__ if category else "Warning", warning_message.message),
                "when": when,
                "nodeid": nodeid,
                "location": location,
                "category": category.__name__ if category else None,
                "filename": warning_message.filename,
                "lineno": warning_message.lineno,
                "message": str(warning_message.message),
            }
        )

    def pytest_sessionfinish(self, exitstatus):
        self._write({"$report_type": "SessionFinish", "exitstatus": int(exitstatus)})


class Collector:
    """Write the node ids of the collected tests to a file."""

    def __init__(self, path):
        self._path = path

    def pytest_collection_finish(self, session):
        with open(self._path, "w", encoding="utf-8", errors="replace") as f:
            for item in session.items:
                f.write(item.nodeid + "\n")


class Selector:
    """Deselect the tests whose node ids a file does not list."""

    def __init__(self, path):
        with open(path, encoding="utf-8", errors="replace") as f:
            self._keep = set(line.rstrip("\n") for line in f if line.strip())

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        kept = [item for item in items if item.nodeid in self._keep]
        if len(kept) != len(items):
            config.hook.pytest_deselected(
                items=[item for item in items if item.nodeid not in self._keep])
            items[:] = kept


def pytest_configure(config):
    collect = os.environ.get(COLLECT_VAR)
    select = os.environ.get(SELECT_VAR)
    if collect and not hasattr(config, "workerinput"):
        config.pluginmanager.register(Collector(collect), "insight-collect")
    if select:
        # xdist's workers collect for themselves: each must keep the same tests.
        try:
            config.pluginmanager.register(Selector(select), "insight-select")
        except OSError as e:
            raise pytest.UsageError("%s: cannot read %s: %s" % (SELECT_VAR, select, e.strerror))
    path = os.environ.get(ENV_VAR)
    if not path:
        return
    config.pluginmanager.register(MarkerRecorder(), "insight-markers")
    if hasattr(config, "workerinput"):
        # A pytest-xdist worker: the controller receives its reports and writes them.
        return
    try:
        writer = ReportLogWriter(config, path)
    except OSError as e:
        raise pytest.UsageError("%s: cannot write %s: %s" % (ENV_VAR, path, e.strerror))
    config.pluginmanager.register(writer, "insight-report-log")
    config._insight_report_log = writer


def pytest_unconfigure(config):
    writer = getattr(config, "_insight_report_log", None)
    if writer is not None:
        writer.close()
        del config._insight_report_log
