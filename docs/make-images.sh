#!/usr/bin/env bash
# Regenerates the README's window screenshots and printed-page images from a fresh demo cohort.
# Needs: the project installed (ari-desktop on PATH) and pdftoppm (Debian: poppler-utils).
# The timeline image is grabbed by its test's helper; the dialogs by grab-dialogs.py.
set -euo pipefail
cd "$(dirname "$0")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/demo.db"
export QT_QPA_PLATFORM=offscreen
ari-desktop --db "$db" demo --patients 300 --seed 1 >/dev/null
# Pick from today's worklist: a patient on a fraction day (toxicity monitoring, samples, go/hold),
# a visit with tubes to label, and a D+100 visit held with month 3.
ari-desktop --db "$db" worklist --json > "$work/worklist.json"
pick() { python3 -c "import json, sys; items = json.load(open('$work/worklist.json')); $1" ; }
read -r fraction_patient fraction_day < <(pick 'i = next((i for i in items if i["activity"] == "infusion" and i["timepoint"] in ("D+3", "D+7")), None) or next(i for i in items if i["activity"] == "tox"); print(i["study_id"], i["timepoint"])')
read -r sample_patient sample_day < <(pick 'i = next(i for i in items if i["kind"] == "sample" and i["timepoint"].startswith("D")); print(i["study_id"], i["timepoint"])')
d100=$(pick 'print(next(i["study_id"] for i in items if i["timepoint"] == "M3"))')

shot() { ari-desktop --db "$db" --user "Nurse Garcia" --screenshot "screenshots/$1.png" "${@:2}"; }
shot today --view today
shot today-1366x768 --view today --size 1366x768
shot patients --view patients
shot patient --view "patient:$fraction_patient"
"$(dirname "$(command -v ari-desktop)")/python" grab-dialogs.py "$db" "$fraction_patient"
page() { pdftoppm -png -r 80 -f "$3" -l "$3" -singlefile "$1" "printing/$2"; }
ari-desktop --db "$db" sheet "$fraction_patient" --timepoint "$fraction_day" -o "$work/tox.pdf" >/dev/null
page "$work/tox.pdf" worksheet-tox-day 1
page "$work/tox.pdf" worksheet-tox-day-2 2
# The page with the electronic signatures of the assessment and the go/hold signed by grab-dialogs.py.
pages=$(pdfinfo "$work/tox.pdf" | awk '/^Pages:/ {print $2}')
for n in $(seq 1 "$pages"); do
  if pdftotext -f "$n" -l "$n" "$work/tox.pdf" - | grep -q "Electronic signatures"; then page "$work/tox.pdf" worksheet-signatures "$n"; fi
done
ari-desktop --db "$db" sheet "$d100" --timepoint D+100 -o "$work/d100.pdf" >/dev/null
page "$work/d100.pdf" worksheet-a4 1
ari-desktop --db "$db" worklist --pdf "$work/worklist.pdf" >/dev/null
page "$work/worklist.pdf" worklist 1
ari-desktop --db "$db" labels "$sample_patient" --timepoint "$sample_day" -o "$work/labels.pdf" >/dev/null
page "$work/labels.pdf" labels-a4-3x8 1
ari-desktop --db "$db" labels "$sample_patient" --timepoint "$sample_day" --stock roll -o "$work/roll.pdf" >/dev/null
pdftoppm -png -r 200 -f 1 -l 1 -singlefile "$work/roll.pdf" printing/label-roll
# The Analysis view and the demo cohort's figures, as `ari-desktop figure` saves them.
shot analysis --view analysis --size 1366x768
for name in swimmer pfs os sbcma; do ari-desktop --db "$db" figure "$name" --out "figures/$name.png" >/dev/null; done
ari-desktop --db "$db" figure expansion --patient DEMO-0012 --out figures/expansion-DEMO-0012.png >/dev/null
echo "Images written under $(pwd)."
