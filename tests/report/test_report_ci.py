"""GitHub workflow commands and Azure Pipelines logging commands."""

from __future__ import annotations

from armlint.model import Location
from armlint.report import ReportOptions, render

GITHUB = """\
::error file=infra/broken.json,line=3,col=1,endLine=3,endColumn=2,title=AZP001 parse-error::\
Expecting ',' delimiter
::warning file=infra/main.tf,line=9,col=3,endLine=9,endColumn=40,\
title=AZP105 hotpatch-needs-platform-mode::\
enable_hotpatching is true but patch_mode is AutomaticByOS
::error file=infra/vm.json,line=12,col=7,endLine=12,endColumn=35,\
title=AZP102 manual-mode-with-automatic-updates::\
patchMode is 'Manual' (from parameters('patchMode')) but enableAutomaticUpdates is true \
(platform default); Manual needs false
::warning file=infra/vm.json,line=20,col=9,endLine=20,endColumn=30,\
title=AZP104 assessment-mode-missing::assessmentMode is not set
::warning file=infra/vm.json,line=25,col=9,title=AZP104 assessment-mode-missing::\
assessmentMode is not set on the second profile
::notice file=infra/vm.json,line=40,col=3,endLine=41,endColumn=4,\
title=AZP110 reboot-setting-default::rebootSetting is not set; the platform uses IfRequired
::notice title=armlint note::terraform: remote module 'git::https://example.test/m.git' was \
not loaded
"""

AZURE = """\
##vso[task.logissue type=error;sourcepath=infra/broken.json;linenumber=3;columnnumber=1;\
code=AZP001]Expecting ',' delimiter
##vso[task.logissue type=warning;sourcepath=infra/main.tf;linenumber=9;columnnumber=3;\
code=AZP105]enable_hotpatching is true but patch_mode is AutomaticByOS
##vso[task.logissue type=error;sourcepath=infra/vm.json;linenumber=12;columnnumber=7;\
code=AZP102]patchMode is 'Manual' (from parameters('patchMode')) but enableAutomaticUpdates \
is true (platform default); Manual needs false
##vso[task.logissue type=warning;sourcepath=infra/vm.json;linenumber=20;columnnumber=9;\
code=AZP104]assessmentMode is not set
##vso[task.logissue type=warning;sourcepath=infra/vm.json;linenumber=25;columnnumber=9;\
code=AZP104]assessmentMode is not set on the second profile
infra/vm.json:40:3: AZP110 [info] rebootSetting is not set; the platform uses IfRequired
note: terraform: remote module 'git::https://example.test/m.git' was not loaded
"""


def test_github_annotations(sample):
    assert render("github", sample, ReportOptions()) == GITHUB


def test_github_unknown_on_request_suppressed_never(sample):
    text = render("github", sample, ReportOptions(show_unknown=True, show_suppressed=True))
    assert "title=AZP002 unknown-value::" in text
    assert "tf-app" not in text and "ticket 42" not in text
    assert "line=5," not in text


def test_github_escaping(single):
    result = single("100% sure,\r\nreally: yes", path="dir,a/b:c%.json")
    assert render("github", result, ReportOptions()) == (
        "::error file=dir%2Ca/b%3Ac%25.json,line=2,col=3,endLine=2,endColumn=9,"
        "title=AZP102 manual-mode-with-automatic-updates::100%25 sure,%0D%0Areally: yes\n"
    )


def test_github_clean_run_prints_nothing(clean):
    assert render("github", clean, ReportOptions()) == ""


def test_azure_devops_issues(sample):
    assert render("azure-devops", sample, ReportOptions()) == AZURE


def test_azure_devops_escaping(single):
    result = single("50% off; [x]\r\nnext", path="a;b]c%.json")
    assert render("azure-devops", result, ReportOptions()) == (
        "##vso[task.logissue type=error;sourcepath=a%3Bb%5Dc%AZP25.json;linenumber=2;"
        "columnnumber=3;code=AZP102]50%AZP25 off; [x]%0D%0Anext\n"
    )


def test_azure_devops_plain_info_lines_cannot_run_commands(single):
    result = single(
        "x ##vso[task.setvariable variable=a]b\nnext", severity="info", location=Location("v", 0, 0)
    )
    line = render("azure-devops", result, ReportOptions())
    assert line == "v:1:1: AZP102 [info] x ##vso%5Btask.setvariable variable=a]b\\nnext\n"
    assert "##vso[" not in line


def test_azure_devops_suppressed_never_unknown_on_request(sample):
    text = render("azure-devops", sample, ReportOptions(show_suppressed=True))
    assert "linenumber=5;" not in text and "AZP002" not in text
    shown = render("azure-devops", sample, ReportOptions(show_unknown=True))
    assert "infra/vm.json:30:5: AZP002 [info]" in shown
