"""Loading and validating case files: every problem, at its line, in one run, exit code 2."""

from __future__ import annotations

import json

import pytest

from report.errors import InputError
from report.load.cases import case_paths, load_case, load_cases
from report.model import Case, PartialDate, case_schema

from .conftest import BAD, DATA, GOOD, ROOT, case_dir, run_cli

BAD_FILES = sorted(BAD.glob("*.yaml"))


def test_project_cases_pass_check():
    run = run_cli("check", cwd=ROOT)
    assert run.code == 0, run.err
    assert run.out.splitlines()[0] == "2 case files OK: 01-ai.yaml, deepseek.yaml"


def test_three_case_files_work_the_same(tmp_path):
    case_dir(tmp_path, *GOOD.glob("*.yaml"))
    run = run_cli("check", cwd=tmp_path)
    assert (run.code, run.out.splitlines()) == (0, [
        "3 case files OK: alpha.yaml, beta.yaml, gamma.yaml", "2 exchange rates OK"])


def test_money_in_a_currency_without_a_rate_cannot_be_compared(tmp_path):
    case_dir(tmp_path, GOOD / "alpha.yaml", GOOD / "beta.yaml")  # no exchange-rates.yaml
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert run.err.splitlines() == [
        "cases/alpha.yaml:45:50: profile.funding_rounds[1].valuation.currency: no exchange "
        "rate between CNY and USD: add one to exchange-rates.yaml (see cases/README.md), so "
        "this money can be compared",
        "cases/beta.yaml:28:101: pricing[0].currency: no exchange rate between CNY and USD: "
        "add one to exchange-rates.yaml (see cases/README.md), so this money can be compared",
        "2 problems found"]


def test_a_format_1_file_is_migrated_keeping_comments_and_then_checks(tmp_path):
    cases = case_dir(tmp_path, *(DATA / "format1").glob("*.yaml"), GOOD / "exchange-rates.yaml")
    before = run_cli("check", cwd=tmp_path)
    assert before.code == 2
    assert before.err.splitlines()[0] == (
        "cases/alpha.yaml:1:1: format: no `format:` line, so this is a format-1 case file; run "
        "`report migrate cases/alpha.yaml` to rewrite it in format 2 (it keeps your comments)")
    files = sorted(str(p.relative_to(tmp_path)) for p in cases.glob("*.yaml")
                   if p.name != "exchange-rates.yaml")
    migrated = run_cli("migrate", *files, cwd=tmp_path)
    assert migrated.code == 0, migrated.err
    assert "cases/alpha.yaml: rewritten (the original is cases/alpha.yaml.format1.bak)" in \
        migrated.out.splitlines()
    assert "  check: profile.funding_rounds[0].status: set to 'announced'; say whether the " \
        "round was rumoured, in talks, announced or closed" in migrated.out.splitlines()
    text = (cases / "alpha.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith("# A synthetic company for the tests")
    assert text.splitlines()[2] == "format: 2"
    assert "releases:" in text and "openness:" not in text
    assert (cases / "alpha.yaml.format1.bak").read_text(encoding="utf-8") == \
        (DATA / "format1" / "alpha.yaml").read_text(encoding="utf-8")
    after = run_cli("check", cwd=tmp_path)
    assert after.code == 0, after.err
    again = run_cli("migrate", "cases/alpha.yaml", cwd=tmp_path)
    assert again.out.strip() == "cases/alpha.yaml: already in the current format"
    # The other versions of a fact became disputes of the first one.
    founded = load_case(cases / "alpha.yaml").case.profile.founded
    assert str(founded.value) == "2023-03"
    assert [(d.field, d.value) for d in founded.disputes] == [("value", "2023-05")]


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda p: p.stem)
def test_each_bad_file_gets_its_exact_message(tmp_path, bad):
    case_dir(tmp_path, bad, GOOD / "beta.yaml")
    run = run_cli("check", cwd=tmp_path)
    expected = bad.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert run.code == 2
    assert "Traceback" not in run.err
    lines = run.err.splitlines()
    assert lines[:-1] == expected
    n = len(expected)
    assert lines[-1] == f"{n} problem{'s' * (n != 1)} found"


def test_every_problem_of_a_file_is_reported_at_once():
    with pytest.raises(InputError) as err:
        load_case(BAD / "many_problems.yaml")
    fields = [p.field for p in err.value.problems]
    assert fields == ["sources[0].url", "profile.founded.cite[0]", "profile.founders.confidence",
                      "team.people[0].left", "team.people[0].colour", "pricing[0].currency",
                      "pricing[0].input"]


def test_problems_in_several_files_are_all_reported(tmp_path):
    case_dir(tmp_path, BAD / "negative_price.yaml", BAD / "unknown_key.yaml", GOOD / "beta.yaml")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert [line.split(":")[0] for line in run.err.splitlines()[:-1]] == [
        "cases/negative_price.yaml", "cases/unknown_key.yaml"]


def test_an_empty_folder_says_what_a_comparison_needs(tmp_path):
    (tmp_path / "cases").mkdir()
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert run.err.splitlines()[0] == (
        "cases: no case files (*.yaml) found; a comparison needs at least 2")


def test_a_single_case_says_what_a_comparison_needs(tmp_path):
    case_dir(tmp_path, GOOD / "alpha.yaml")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert run.err.splitlines()[0] == (
        "cases: only one case file (alpha.yaml); a comparison needs at least 2: "
        "add another company's case file")


def test_a_missing_folder_is_bad_input(tmp_path):
    run = run_cli("check", "--cases", "nowhere", cwd=tmp_path)
    assert (run.code, run.err.splitlines()[0]) == (2, "nowhere: no such directory of case files")


def test_a_50_megabyte_file_is_refused_without_reading_it(tmp_path):
    cases = case_dir(tmp_path, GOOD / "beta.yaml")
    with open(cases / "huge.yaml", "wb") as f:
        f.truncate(50 * 1000 * 1000)
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert run.err.splitlines()[0] == (
        "cases/huge.yaml:1:1: file is 50.0 MB; a case file may be at most 2 MB")


def test_two_files_with_one_case_id(tmp_path):
    cases = case_dir(tmp_path, GOOD / "alpha.yaml", GOOD / "beta.yaml")
    (cases / "alpha-copy.yaml").write_text((GOOD / "alpha.yaml").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert run.err.splitlines()[0] == (
        "cases/alpha.yaml:1:1: id: case id 'alpha' is also used by alpha-copy.yaml")


def test_yaml_1_2_keeps_no_as_a_string(tmp_path):
    text = (GOOD / "gamma.yaml").read_text(encoding="utf-8").replace(
        "role: CEO", "role: no")
    path = tmp_path / "gamma.yaml"
    path.write_text(text, encoding="utf-8")
    person = load_case(path).case.team.people[0]
    assert person.role == "no"


def test_aliases_are_expanded_but_an_alias_bomb_is_refused(tmp_path):
    bomb = ["id: x", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        bomb.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(bomb) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_case(path)
    assert "more than 200000 values after expanding aliases" in str(err.value)


def test_partial_dates_span_sort_and_print():
    d = PartialDate.parse
    assert str(d("2024-02").end()) == "2024-02-29"
    assert (str(d("2025-Q4").start()), str(d("2025-Q4").end())) == ("2025-10-01", "2025-12-31")
    assert (str(d("2024-H2").start()), str(d("2024-H2").end())) == ("2024-07-01", "2024-12-31")
    assert str(d("~2024-05").mid()) == "2024-05-16"
    # A year sorts by its middle, not before every dated event of that year.
    assert sorted([d(2024), d("2024-08-15"), d("2024-03")]) == [
        d("2024-03"), d(2024), d("2024-08-15")]
    from report.words.style import Style

    s = Style()
    assert [s.date(d(x)) for x in ("2024-08-15", "2024-08", "2025-Q4", "2024-H2", "~2024-05",
                                   2024)] == [
        "15 Aug 2024", "Aug 2024", "Q4 2025", "H2 2024", "c. May 2024", "2024"]


def test_real_cases_cover_what_the_brief_asks_for():
    cases = {cf.case.id: cf.case for cf in load_cases(ROOT / "cases")}
    assert set(cases) == {"01-ai", "deepseek"}
    ds, yi = cases["deepseek"], cases["01-ai"]
    models = {r.name for r in ds.releases}
    for name in ("DeepSeek-V2", "DeepSeek-V3", "DeepSeek-R1"):
        assert any(m.startswith(name) for m in models), name
    assert sum("Distill" in m for m in models) == 6
    assert any(r.licence_changes for r in yi.releases)  # the Yi licence history
    for case in (ds, yi):
        assert len([r for r in case.releases if r.scorecard]) >= 2
        assert case.pricing
    departed = {p.name.zh for p in yi.team.people if p.has_left}
    assert {"谷雪梅", "戴宗宏", "李先刚", "黄文灏", "潘欣"} <= departed
    assert any("joint" in m.title.lower() and "lab" in m.title.lower() and m.date.year == 2025
               for m in yi.strategy.moves)


def test_every_case_file_points_editors_at_the_schema():
    for path in case_paths(ROOT / "cases") + case_paths(GOOD):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        schema = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert schema == ROOT / "report" / "schema" / "case.schema.json", path


def test_committed_schema_is_what_report_schema_prints():
    run = run_cli("schema", cwd=ROOT)
    assert run.code == 0
    printed = json.loads(run.out)
    assert printed == case_schema()
    committed = json.loads((ROOT / "report/schema/case.schema.json").read_text(encoding="utf-8"))
    assert committed == printed, "run `make schema` after changing the model"
    assert set(printed["properties"]) == set(Case.model_fields)


def test_every_shipped_case_file_validates_against_the_shipped_schema():
    import jsonschema

    from report.load.yamlfile import parse

    schema = json.loads((ROOT / "report/schema/case.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for path in case_paths(ROOT / "cases") + case_paths(GOOD):
        # Read as an editor's YAML 1.2 parser reads it: dates stay text.
        data = parse(path.read_text(encoding="utf-8"), path.name).data
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, (path.name, errors[:3])


def test_the_schema_accepts_every_shorthand_the_loader_accepts():
    import jsonschema

    schema = json.loads((ROOT / "report/schema/case.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    fact = {"cite": ["s"], "confidence": "reported"}
    case = {
        "format": 2, "id": "x", "name": {"en": "X"},
        "sources": [{"id": "s", "title": "t", "kind": "press"}],
        "profile": {
            "founded": {"value": "~2023-05", **fact},  # approximate
            "status": [{"from": "2023-Q2", "until": "2024-H1", "value": "a", **fact},
                       {"from": 2025, "value": "b", **fact}],  # a series, loose dates
            "headquarters": {"value": "Beijing", **fact},  # one value
        },
        "pricing": [{"id": "p", "model": "m", "seen": "2025-02-01", "currency": "CNY",
                     "input": 1, **fact}],
        "releases": [{"id": "k", "name": "K", "date": "2025-Q1", "kind": "software", **fact}],
    }
    assert not list(validator.iter_errors(case))
    Case.model_validate(case)  # and the loader's model agrees


def test_ci_workflow_uses_the_readme_commands_and_publishes_the_documents():
    from ruamel.yaml import YAML

    workflow = YAML(typ="safe").load((ROOT / ".github/workflows/briefing.yml").read_text())
    steps = workflow["jobs"]["briefing"]["steps"]
    runs = [s.get("run", "").strip() for s in steps]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("make test", "make briefing"):
        assert command in runs and command in readme
    assert runs.index("make test") < runs.index("make briefing")
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert "output/briefing.pdf" in upload["with"]["path"]
    assert "make test" in (ROOT / ".ci/run").read_text()
    assert not any("secrets." in str(s) for s in steps)  # runs unchanged in a fork


def test_thousands_of_unknown_source_ids_cost_a_bounded_number_of_suggestions(
        tmp_path, monkeypatch):
    # 20,000 misspelt ids against 1,900 sources took more than five minutes: each one was
    # compared with every source. Now each distinct id is looked up once, and at most 50.
    import report.load.yamlfile

    calls = []
    real = report.load.yamlfile.did_you_mean
    monkeypatch.setattr(report.load.yamlfile, "did_you_mean",
                        lambda word, choices: calls.append(word) or real(word, choices))
    text = (GOOD / "alpha.yaml").read_text(encoding="utf-8")
    sources = "".join(f"  - {{id: source-{i}, title: T{i}, kind: press}}\n" for i in range(1900))
    refs = ", ".join(f"sourse-{i}" for i in range(100))
    facts = "".join(f"    - {{id: f{i}, label: l, value: v, cite: [{refs}], "
                    "confidence: reported}\n" for i in range(200))
    path = tmp_path / "alpha.yaml"
    path.write_text(text.replace("sources:\n", "sources:\n" + sources)
                    .replace("  facts:\n", "  facts:\n" + facts), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_case(path)
    assert len(err.value.problems) == 20_000
    assert len(calls) == 50
    assert err.value.problems[0].message == (
        "unknown source id 'sourse-0'; did you mean 'source-0'?")


CURRENCIES = ["EUR", "GBP", "JPY", "HKD", "SGD", "KRW", "INR", "CHF", "AUD", "CAD", "SEK", "BRL"]


def test_prices_in_a_dozen_currencies_are_checked_and_each_needs_a_rate(tmp_path):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    alpha = cases / "alpha.yaml"
    prices = "".join(f"  - {{id: p-{c.lower()}, model: m, from: 2024-06-01, currency: {c}, "
                     "input: 1, cite: [home], confidence: confirmed}\n" for c in CURRENCIES)
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("pricing:\n",
                                                               "pricing:\n" + prices),
                     encoding="utf-8")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    lines = run.err.splitlines()
    assert len(lines) == len(CURRENCIES) + 1 and lines[-1] == "12 problems found"
    assert lines[0] == ("cases/alpha.yaml:80:55: pricing[0].currency: no exchange rate between "
                        "EUR and USD: add one to exchange-rates.yaml (see cases/README.md), so "
                        "this money can be compared")
    rates = cases / "exchange-rates.yaml"
    rates.write_text(rates.read_text(encoding="utf-8") + "".join(
        f"  - {{id: usd-{c.lower()}, period: 2024, base: USD, quote: {c}, rate: 1.5, "
        "kind: annual-average, cite: [central-bank], confidence: confirmed}\n"
        for c in CURRENCIES), encoding="utf-8")
    run = run_cli("check", cwd=tmp_path)
    assert (run.code, run.out.splitlines()[1]) == (0, "14 exchange rates OK")


def yaml_inputs() -> list:
    """Every YAML file the project ships or tests with, the bad ones too."""
    return sorted([*(ROOT / "cases").glob("*.yaml"), *DATA.rglob("*.yaml")])


def test_libyaml_and_the_pure_parser_read_every_input_alike():
    """Files are read with libyaml for speed, and its positions are the ones problems print:
    they must be the pure parser's, Chinese text before them included."""
    from ruamel.yaml.error import YAMLError

    from report.load.yamlfile import Doc, _compose, _to_plain

    compared = 0
    for path in yaml_inputs():
        text = path.read_text(encoding="utf-8", errors="replace")
        read = []
        for pure in (False, True):
            try:
                yaml, root = _compose(text, pure=pure)
            except (YAMLError, RecursionError):
                read.append(None)
                continue
            doc = Doc(data=None, values={}, keys={}, shown=path.name)
            problems: list = []
            doc.data = _to_plain(root, (), doc, yaml, problems, [200_000]) if root else None
            read.append((doc.data, doc.values, doc.keys, [str(p) for p in problems]))
        # What libyaml reads, the pure parser reads the same; what libyaml refuses, the pure
        # parser reads or refuses in its own words (lone surrogates, say, it reads).
        if read[0] is not None:
            assert read[0] == read[1], path
            compared += 1
    assert compared > 40


@pytest.mark.parametrize("rate", ["1e-300", "0.0000001", "1e7"])
def test_an_exchange_rate_past_any_real_one_is_refused_at_its_line(tmp_path, rate):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    rates = cases / "exchange-rates.yaml"
    rates.write_text(rates.read_text(encoding="utf-8").replace("rate: 7.0,", f"rate: {rate},"),
                     encoding="utf-8")
    run = run_cli("check", cwd=tmp_path)
    assert (run.code, run.err.splitlines()[0]) == (2, (
        "cases/exchange-rates.yaml:6:67: rates[0].rate: a rate is between 0.000001 and "
        "1,000,000 units of `quote` for one of `base`; check the figure and which way it runs"))
