"""Project loading: config, policy files from disk or strings, display paths, version, require_policy."""
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from policylang.errors import ProjectError
from policylang.project import load_project, load_texts, require_policy
from strategies.config import make_config

GLOBAL = "policy global\nchannels email\nconsent email requires opt_in\ngap email 1 day\n"
CRUISES = "policy business_unit cruises\ncap email 2 per 7 days\n"
CONFIG_YAML = "business_units: [cruises, hotels]\n"


def make_project(root: Path, policies: dict[str, str | bytes], config_yaml: str = CONFIG_YAML,
                 folder: str = "policies") -> Path:
    (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "policylang.yaml").write_text(config_yaml)
    for name, content in policies.items():
        path = root / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def where(project) -> list[tuple[str, str]]:
    return [(d.code, d.span.where) for d in project.diagnostics]


def test_loads_and_resolves(tmp_path):
    root = make_project(tmp_path, {"global.policy": GLOBAL, "cruises.policy": CRUISES})
    project = load_project(root)
    assert project.diagnostics == [] and not project.has_errors
    assert [r.id for r in project.policy.rules] == ["global.consent_email", "global.gap_email", "cruises.cap_email_7d"]
    assert project.config.business_units == ("cruises", "hotels")
    assert [f.path for f in project.files] == [str(root / "policies" / n) for n in ("cruises.policy", "global.policy")]
    assert project.sources[str(root / "policies" / "global.policy")].text == GLOBAL
    assert re.fullmatch(r"[0-9a-f]{12}", project.version) and project.policy.version == project.version
    assert require_policy(project) is project.policy


def test_display_paths_keep_the_folder_as_written(tmp_path, monkeypatch):
    make_project(tmp_path / "proj", {"global.policy": GLOBAL + "gap emial 1 day\n"})
    monkeypatch.chdir(tmp_path)
    assert where(load_project("proj")) == [("PL210", "proj/policies/global.policy:5:5")]
    monkeypatch.chdir(tmp_path / "proj")
    project = load_project(".")
    assert where(project) == [("PL210", "policies/global.policy:5:5")]
    assert list(project.sources) == ["policies/global.policy"]


def test_files_are_taken_in_name_order(tmp_path):
    project = load_project(make_project(tmp_path, {"z.policy": GLOBAL, "a.policy": GLOBAL}))
    assert where(project) == [("PL202", str(tmp_path / "policies" / "z.policy") + ":1:1")]


def test_only_visible_policy_files_of_the_folder(tmp_path):
    root = make_project(tmp_path, {"global.policy": GLOBAL, "README.md": "policy nonsense", ".draft.policy": "x",
                                   "old/global.policy": "x", "notes.policy.bak": "x"})
    project = load_project(root)
    assert project.diagnostics == [] and list(project.sources) == [str(root / "policies" / "global.policy")]


def test_configured_policy_folder(tmp_path):
    root = make_project(tmp_path, {"global.policy": GLOBAL}, CONFIG_YAML + "policies: rules/current\n",
                        folder="rules/current")
    assert load_project(root).policy is not None


def test_no_policy_files_points_at_the_folder_setting(tmp_path):
    project = load_project(make_project(tmp_path, {}, "business_units: [a]\npolicies: policies\n"))
    assert where(project) == [("PL211", str(tmp_path / "policylang.yaml") + ":2:11")]
    assert project.policy is None


def test_no_policy_files_in_the_default_folder(tmp_path):
    project = load_project(make_project(tmp_path, {}))
    assert where(project) == [("PL211", str(tmp_path / "policylang.yaml") + ":1:1")]


def test_config_errors_stop_loading(tmp_path):
    project = load_project(make_project(tmp_path, {"global.policy": GLOBAL}, "business_units: cruises\n"))
    assert where(project) == [("PL402", str(tmp_path / "policylang.yaml") + ":1:17")]
    assert (project.config, project.files, project.policy) == (None, [], None)


def test_missing_config(tmp_path):
    project = load_project(tmp_path)
    assert [d.code for d in project.diagnostics] == ["PL405"] and project.policy is None


def test_syntax_errors_are_not_followed_by_name_errors(tmp_path):
    # the broken `channels` line would make every later use of `email` unknown
    root = make_project(tmp_path, {"global.policy": "policy global\nchannels email,\nconsent email requires opt_in\n",
                                   "cruises.policy": CRUISES})
    project = load_project(root)
    assert [d.code for d in project.diagnostics] == ["PL100"]
    assert project.policy is None and len(project.files) == 2


def test_undecodable_file(tmp_path):
    root = make_project(tmp_path, {"global.policy": b"policy global\nchannels caf\xe9\n"})
    project = load_project(root)
    path = str(root / "policies" / "global.policy")
    assert where(project) == [("PL105", path + ":2:13")]
    assert project.sources[path].line_text(2) == "channels caf\ufffd"


def test_byte_order_mark_is_skipped(tmp_path):
    root = make_project(tmp_path, {"global.policy": b"\xef\xbb\xbf" + GLOBAL.encode() + b"gap emial 1 day\n"})
    project = load_project(root)
    path = str(root / "policies" / "global.policy")
    assert where(project) == [("PL210", path + ":5:5")]
    assert project.sources[path].line_text(1) == "policy global"


def test_preference_topic_finding_points_into_the_config(tmp_path):
    root = make_project(tmp_path, {"global.policy": "policy global\ntopics offers\n"},
                        "business_units: [a]\npreference_center:\n  topics: [offers, promos]\n")
    assert where(load_project(root)) == [("PL210", str(root / "policylang.yaml") + ":3:20")]


def test_preference_center_reaches_the_policy_with_its_locations(tmp_path):
    root = make_project(tmp_path, {"global.policy": "policy global\ntopics offers, news\n"},
                        "business_units: [a]\npreference_center:\n  topics: [news]\n  frequency: yes\n")
    center = load_project(root).policy.preference_center
    assert (center.topics, center.frequency) == (("news",), True)
    yaml_path = str(root / "policylang.yaml")
    assert {key: span.where for key, span in center.spans.items()} == \
        {"topics.news": yaml_path + ":3:12", "frequency": yaml_path + ":4:14"}


def test_require_policy_raises_the_errors(tmp_path):
    project = load_project(make_project(tmp_path, {"global.policy": GLOBAL + "gap emial 1 day\n"}))
    with pytest.raises(ProjectError) as raised:
        require_policy(project)
    assert [d.code for d in raised.value.diagnostics] == ["PL210"]


# --- policy_version --------------------------------------------------------------------

def version_of(root: Path) -> str:
    return load_project(root).version


def test_version_follows_policy_and_config_content(tmp_path):
    base = version_of(make_project(tmp_path / "a", {"global.policy": GLOBAL}))
    assert version_of(make_project(tmp_path / "b", {"global.policy": GLOBAL})) == base
    assert version_of(make_project(tmp_path / "c", {"global.policy": GLOBAL + "# note\n"})) != base
    assert version_of(make_project(tmp_path / "d", {"global.policy": GLOBAL}, CONFIG_YAML + "dialect: duckdb\n")) != base
    assert version_of(make_project(tmp_path / "e", {"main.policy": GLOBAL})) != base  # the file name counts


def test_version_does_not_depend_on_how_the_folder_is_named(tmp_path, monkeypatch):
    root = make_project(tmp_path / "proj", {"global.policy": GLOBAL})
    monkeypatch.chdir(tmp_path)
    assert version_of(Path("proj")) == version_of(root.resolve())


def test_version_separates_file_names_and_contents(tmp_path):
    # both folders concatenate to the same bytes `a.policyXb.policyY`
    two = version_of(make_project(tmp_path / "a", {"a.policy": "X", "b.policy": "Y"}))
    one = version_of(make_project(tmp_path / "b", {"a.policy": "Xb.policyY"}))
    assert two != one


# --- load_texts --------------------------------------------------------------------------

def test_load_texts():
    config = make_config()
    project = load_texts({"u.policy": CRUISES, "g.policy": GLOBAL}, config)
    assert project.diagnostics == []
    assert [f.path for f in project.files] == ["g.policy", "u.policy"]
    assert project.policy.version == project.version and re.fullmatch(r"[0-9a-f]{12}", project.version)
    assert load_texts({"g.policy": GLOBAL, "u.policy": CRUISES}, config).version == project.version
    assert load_texts({"g.policy": GLOBAL, "u.policy": CRUISES}, make_config(dialect="sqlite")).version != \
        project.version
    assert load_texts({"g.policy": GLOBAL + "\n", "u.policy": CRUISES}, config).version != project.version


def test_load_texts_reports_like_load_project():
    project = load_texts({"g.policy": GLOBAL + "gap emial 1 day\n"}, make_config())
    assert where(project) == [("PL210", "g.policy:5:5")] and project.policy is None
    assert [d.code for d in load_texts({}, make_config()).diagnostics] == ["PL211"]


POLICY_PIECES = ["policy global\n", "policy business_unit cruises\n", "policy business_unit ferries\n",
                 "channels email, sms\n", "topics offers\n", "consent email requires opt_in\n",
                 "consent sms allowed unless opt_out\n", "segment a: b\n", "segment b: tier = 3\n",
                 "segment c: days_since(last_purchase_at) > 3 and score s > 1\n", "score s {\n  +1 when c\n}\n",
                 "cap email 3 per 7 days\n", "cap marketing per 0 days {\n  otherwise: 1\n  a: 2\n}\n",
                 "cap sms spend 1.00001 per 1 week\n", "gap email 1 day as x\n", "gap emial 2 days as x\n",
                 "block sms unless a\n", "stop email after 2 unopened\n", "stop marketing after conversion\n",
                 'cooldown marketing 1 day after event "x"\n', "honor preferences\n",
                 "campaign c {\n  stage a: email day 0\n  stage a: sms day 1\n}\n", "cap email 2.5 per 1 day\n",
                 "gap email 1 month\n", "{\n", "}\n", "\n"]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["a.policy", "b.policy", "c.policy"]),
                       st.lists(st.sampled_from(POLICY_PIECES), max_size=12).map("".join), max_size=3))
def test_any_policy_text_gives_a_policy_or_findings(texts):
    project = load_texts(texts, make_config(preference_topics=("offers",)))
    assert (project.policy is None) == project.has_errors
    assert all(d.span is None or d.span.file in texts or d.span.file == "policylang.yaml"
               for d in project.diagnostics)
