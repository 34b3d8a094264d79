/*
 * pytest_project.h - a small throwaway pytest project with every kind of
 * outcome (failures, setup and teardown errors, a collection error, skips,
 * xfail, xpass, strict xpass, reruns, a flaky test, warnings, captured
 * output, record_property, parametrised ids with "::" and unicode), run with
 * the real pytest and pytest-rerunfailures (--reruns 2).
 *
 * pytest 7.2 has no --report-log, so the project's conftest.py writes the
 * same stream pytest-reportlog writes: every report through
 * config.hook.pytest_report_to_serializable as one JSON line with
 * "$report_type", plus SessionStart, SessionFinish and WarningMessage lines.
 * Like insight's own plugin it also adds the test's marker names.
 */
#ifndef INSIGHT_TEST_PYTEST_PROJECT_H
#define INSIGHT_TEST_PYTEST_PROJECT_H

#include "ingest_collect.h"

static const char project_conftest[] =
	"import json\n"
	"import pytest\n"
	"\n"
	"_log = None\n"
	"_config = None\n"
	"\n"
	"def _write(data):\n"
	"    try:\n"
	"        text = json.dumps(data)\n"
	"    except TypeError:\n"
	"        clean = {}\n"
	"        for k, v in data.items():\n"
	"            try:\n"
	"                json.dumps({k: v})\n"
	"            except TypeError:\n"
	"                v = str(v)\n"
	"            clean[k] = v\n"
	"        text = json.dumps(clean)\n"
	"    _log.write(text + '\\n')\n"
	"    _log.flush()\n"
	"\n"
	"def pytest_configure(config):\n"
	"    global _log, _config\n"
	"    _config = config\n"
	"    _log = open('report.jsonl', 'w', buffering=1, encoding='utf-8')\n"
	"\n"
	"def pytest_unconfigure(config):\n"
	"    _log.close()\n"
	"\n"
	"def pytest_sessionstart(session):\n"
	"    _write({'pytest_version': pytest.__version__, '$report_type': 'SessionStart'})\n"
	"\n"
	"def pytest_sessionfinish(session, exitstatus):\n"
	"    _write({'exitstatus': int(exitstatus), '$report_type': 'SessionFinish'})\n"
	"\n"
	"@pytest.hookimpl(hookwrapper=True)\n"
	"def pytest_runtest_makereport(item, call):\n"
	"    outcome = yield\n"
	"    outcome.get_result().markers = sorted({m.name for m in item.iter_markers()})\n"
	"\n"
	"def pytest_runtest_logreport(report):\n"
	"    _write(_config.hook.pytest_report_to_serializable(config=_config, report=report))\n"
	"\n"
	"def pytest_collectreport(report):\n"
	"    _write(_config.hook.pytest_report_to_serializable(config=_config, report=report))\n"
	"\n"
	"def pytest_warning_recorded(warning_message, when, nodeid, location):\n"
	"    _write({'$report_type': 'WarningMessage',\n"
	"            'category': warning_message.category.__name__,\n"
	"            'filename': warning_message.filename, 'lineno': warning_message.lineno,\n"
	"            'message': str(warning_message.message),\n"
	"            'warning_message': str(warning_message.message),\n"
	"            'when': when, 'nodeid': nodeid, 'location': location})\n";

static const char project_ini[] =
	"[pytest]\n"
	"markers =\n"
	"    slow: a slow test\n"
	"disable_test_id_escaping_and_forfeit_all_rights_to_community_support = true\n";

static const char project_tests[] =
	"import logging\n"
	"import sys\n"
	"import warnings\n"
	"import pytest\n"
	"\n"
	"COUNT = {'flaky': 0}\n"
	"\n"
	"def test_pass():\n"
	"    print('hello out')\n"
	"    print('hello err', file=sys.stderr)\n"
	"    logging.getLogger('x').warning('a log line')\n"
	"\n"
	"def test_fail():\n"
	"    assert 1 + 1 == 3\n"
	"\n"
	"@pytest.mark.skip(reason='not today')\n"
	"def test_skip():\n"
	"    pass\n"
	"\n"
	"@pytest.mark.xfail(reason='known bug')\n"
	"def test_xfail():\n"
	"    assert 0\n"
	"\n"
	"@pytest.mark.xfail(reason='maybe')\n"
	"def test_xpass():\n"
	"    pass\n"
	"\n"
	"@pytest.mark.xfail(reason='strictly', strict=True)\n"
	"def test_xpass_strict():\n"
	"    pass\n"
	"\n"
	"@pytest.fixture\n"
	"def broken():\n"
	"    raise RuntimeError('fixture broke')\n"
	"\n"
	"def test_setup_error(broken):\n"
	"    pass\n"
	"\n"
	"@pytest.fixture\n"
	"def bad_teardown():\n"
	"    yield\n"
	"    raise ValueError('teardown broke')\n"
	"\n"
	"def test_teardown_error(bad_teardown):\n"
	"    pass\n"
	"\n"
	"def test_flaky():\n"
	"    COUNT['flaky'] += 1\n"
	"    print('attempt', COUNT['flaky'])\n"
	"    assert COUNT['flaky'] >= 2\n"
	"\n"
	"@pytest.mark.slow\n"
	"def test_warns(record_property):\n"
	"    record_property('case', 'C123')\n"
	"    record_property('n', 5)\n"
	"    warnings.warn('careful', UserWarning)\n"
	"\n"
	"@pytest.mark.parametrize('x', ['a::b', '\xc3\xbc'])\n"
	"def test_param(x):\n"
	"    pass\n"
	"\n"
	"def test_chained():\n"
	"    try:\n"
	"        {}['missing']\n"
	"    except KeyError:\n"
	"        raise ValueError('while handling')\n"
	"\n"
	"class TestThing:\n"
	"    def test_method(self):\n"
	"        pass\n";

static const char project_broken[] = "import nonexistent_module_for_insight\n";

/*
 * Write the project into a fresh temp dir and run pytest there with the
 * options `extra` (e.g. "--color=yes -q"); the console goes to console.txt,
 * the report-log to report.jsonl. Returns the dir (owned).
 */
static inline char *run_pytest_project(const char *extra)
{
	char *dir = make_tempdir();
	ins_buf cmd = INS_BUF_INIT;

	write_text(dir, "conftest.py", project_conftest);
	write_text(dir, "pytest.ini", project_ini);
	write_text(dir, "test_a.py", project_tests);
	write_text(dir, "test_broken.py", project_broken);
	/* no plugin autoload and no user options: the run must be the same everywhere */
	ins_buf_printf(&cmd, "cd '%s' && env -u PYTEST_ADDOPTS PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 "
		       "COLUMNS=80 %s -m pytest -p pytest_rerunfailures -p no:cacheprovider "
		       "--reruns 2 -rAR --continue-on-collection-errors %s "
		       "> console.txt 2>&1", dir, python(), extra);
	if (system(cmd.ptr) == -1)
		abort();
	ins_buf_release(&cmd);
	return dir;
}

#endif
