"""The template studio: product managers edit, preview, get approval and publish in the browser.

    studio = Studio.open(cfg)                      # imports the repository's templates as release 1 if needed
    studio.save_draft(editor, "sms/en/dpd_1", {"txt": "..."})
    studio.submit(editor, draft_id)
    studio.approve(reviewer, draft_id)             # -> a new release; the next daily plan reads it
    StudioServer(studio, port=8090).start()        # the web app (web.py)

- `users.py`: who may sign in, with which roles (argon2 hashes, from a file)
- `checking.py`: the live check of a draft (lint + sample renders + SMS segments + diff)
- `service.py`: the rules: roles, no self-approval, review, publishing, roll back, the audit of actions
- `web.py`, `pages/`, `static/`: the browser side; `server.py`: serving it
Where releases live and how the run reads them: loan_comms/templating/releases.py.
"""

from loan_comms.studio.checking import Check, TemplateKey, check_draft
from loan_comms.studio.server import StudioServer
from loan_comms.studio.service import Conflict, Draft, Forbidden, NotFound, Studio, StudioError
from loan_comms.studio.users import ROLES, User, load_users, save_user, users_file

__all__ = ["Check", "Conflict", "Draft", "Forbidden", "NotFound", "ROLES", "Studio", "StudioError", "StudioServer",
           "TemplateKey", "User", "check_draft", "load_users", "save_user", "users_file"]
