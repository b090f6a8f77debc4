"""Where the classroom keeps things, and the tag that marks what it made."""

from __future__ import annotations

import os

# Everything `down` removes: the state file, the hub's database, cookie secret and logs.
STATE_DIR = os.environ.get("KVMLAB_CLASSROOM_DIR", "/var/lib/kvmlab/classroom")
STATE_FILE = os.path.join(STATE_DIR, "state.json")
# The learners' Python (readable by every account: root's interpreter under /root is not). Installed
# software, like .venv: `down` keeps it, `down --purge` removes it too.
ENV_DIR = os.environ.get("KVMLAB_CLASSROOM_ENV", "/var/lib/kvmlab/classroom-env")
# The GECOS field of every account the classroom made: `down` removes an account only if the state
# file lists it AND it carries this tag.
TAG = "kvmlab-classroom"
# Each learner's progress records, relative to the home (mode 0600, the learner's own).
PROGRESS_FILE = ".kvmlab/progress.jsonl"
# The course copied into each home.
COURSE_DIR = "kvmlab-course"
