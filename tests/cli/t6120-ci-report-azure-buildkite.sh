#!/bin/bash
# t6120-ci-report-azure-buildkite - ci report in Azure Pipelines (logging
# commands: task.logissue per new failure and task.uploadsummary, parsed
# back with Azure's escaping) and in Buildkite (the Markdown piped to
# `buildkite-agent annotate`, here a fake agent on PATH that records what
# it was given).
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"
HEAD=0123456789abcdef0123456789abcdef01234567

cat >base.xml <<'XML'
<testsuite name="s"><testcase classname="tests/test_a.py" name="test_one"/>
<testcase classname="tests/test_a.py" name="test_two"/></testsuite>
XML
cat >target.xml <<'XML'
<testsuite name="s"><testcase classname="tests/test_a.py" name="test_one"><failure message="50% off; [x] ]&#10;line two">tb</failure></testcase>
<testcase classname="tests/test_a.py" name="test_two"/></testsuite>
XML

# In a clean environment with the given variables.
clean() {
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC INSIGHT_DB="$INSIGHT_DB" "$@"
}

test_expect_success 'setup: one new failure' '
	insight -q session import --sut shop base.xml &&
	insight -q session import --sut shop target.xml
'

test_expect_success 'Azure Pipelines: logissue and uploadsummary, parsed back' '
	mkdir agent-tmp &&
	clean TF_BUILD=True BUILD_BUILDID=120 BUILD_SOURCEVERSION=$HEAD \
		SYSTEM_COLLECTIONURI=https://dev.azure.com/acme/ SYSTEM_TEAMPROJECT=Shop \
		AGENT_TEMPDIRECTORY="$TRASH/agent-tmp" \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "delivered: summary, annotations" err &&
	"$INSIGHT_PYTHON" - out "$TRASH/agent-tmp" <<-\EOF_PY
	import re, sys
	lines = open(sys.argv[1]).read().splitlines()
	def unescape(v):
	    return (v.replace("%0D", "\r").replace("%0A", "\n").replace("%3B", ";")
	             .replace("%5D", "]").replace("%AZP25", "%"))
	issues = [l for l in lines if l.startswith("##vso[task.logissue ")]
	assert len(issues) == 1, lines
	m = re.match(r"##vso\[task\.logissue ([^\]]*)\](.*)$", issues[0])
	assert m, issues[0]
	props = dict(p.split("=", 1) for p in m.group(1).split(";") if p)
	assert props["type"] == "error", props
	assert unescape(props["sourcepath"]) == "tests/test_a.py", props
	assert unescape(props["code"]) == "tests/test_a.py::test_one", props
	assert unescape(m.group(2)) == "50% off; [x] ]\nline two", m.group(2)
	summ = [l for l in lines if l.startswith("##vso[task.uploadsummary]")]
	assert len(summ) == 1, lines
	path = unescape(summ[0][len("##vso[task.uploadsummary]"):])
	assert path == sys.argv[2] + "/insight-shop.md", path
	text = open(path).read()
	assert text.startswith("<!-- insight:report sut=shop -->\n"), text[:60]
	assert "1 failing (1 new)" in text
	EOF_PY
'

test_expect_success 'Azure Pipelines without AGENT_TEMPDIRECTORY or --out-dir: exit 5' '
	clean TF_BUILD=True "$INSIGHT_BIN" ci report --sut shop --base latest~1 --only summary >out 2>err
	test $? = 5 && test_grep "not delivered: summary" err
'

test_expect_success 'Buildkite: the Markdown piped to buildkite-agent annotate' '
	mkdir bin &&
	cat >bin/buildkite-agent <<-EOF_SH &&
	#!/bin/sh
	printf "%s\n" "\$@" >"$TRASH/agent-args"
	cat >"$TRASH/agent-stdin"
	EOF_SH
	chmod +x bin/buildkite-agent &&
	clean PATH="$TRASH/bin:$PATH" BUILDKITE=true BUILDKITE_COMMIT=$HEAD \
		BUILDKITE_BUILD_URL=https://buildkite.com/acme/shop/builds/8 \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "delivered: annotation" err &&
	printf "%s\n" annotate --style error --context insight-shop >expect &&
	test_cmp expect agent-args &&
	head -n 1 agent-stdin >first &&
	echo "<!-- insight:report sut=shop -->" >expect && test_cmp expect first &&
	test_grep "(https://buildkite.com/acme/shop/builds/8)" agent-stdin &&
	test_line_count = 0 out
'

test_expect_success 'Buildkite: an agent that fails is reported, exit 5' '
	printf "#!/bin/sh\ncat >/dev/null\nexit 3\n" >bin/buildkite-agent &&
	clean PATH="$TRASH/bin:$PATH" BUILDKITE=true \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err
	test $? = 5 && test_grep "exited with status 3" err
'

test_done
