"""The field app's one copy of the SWEMWBS words says what
app/outcomes/rules.py says: the seven statements and every how many months a
check is due (static/js/screens/wellbeing.js), the five answers
(static/js/screens/labels.js; which values exist comes from the contract). The JS next-due rule is
compared with rules.swemwbs_next_due in Chromium
(tests/e2e/test_wellbeing_in_the_field.py)."""
import re

from app import PROJECT_ROOT
from app.outcomes import rules

SOURCE = (PROJECT_ROOT / "static" / "js" / "screens" / "wellbeing.js").read_text()
LABELS = (PROJECT_ROOT / "static" / "js" / "screens" / "labels.js").read_text()


def js_array(name):
    body = re.search(rf"export const {name} = \[(.*?)\];", SOURCE, re.S).group(1)
    return [a or b for a, b in re.findall(r'"([^"]*)"|\'([^\']*)\'', body)]


def test_the_statements_are_the_rules_statements():
    assert tuple(js_array("ITEMS")) == rules.SWEMWBS_ITEMS


def test_the_answers_are_the_rules_answers():
    body = re.search(r"export const SWEMWBS_ANSWERS = \{(.*?)\};", LABELS).group(1)
    answers = {int(n): words for n, words in re.findall(r"(\d+): '([^']*)'", body)}
    assert answers == rules.SWEMWBS_ANSWERS


def test_a_check_is_due_as_often_as_the_rules_say():
    assert re.search(r"export const EVERY_MONTHS = (\d+);", SOURCE).group(1) == str(rules.SWEMWBS_EVERY_MONTHS)
