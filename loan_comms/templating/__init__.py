"""The template studio: safe Jinja rendering of borrower messages, lint and a preview gallery.

    store = TemplateStore.load(templates_dir, cfg)
    store.problems_at_start()                       # refuse to run on errors
    store.render(kind, channel, language, ctx)      # -> Rendered, or raises RenderError
    store.render_many(kind, channel, language, ctxs)
    store.render_batch(kind, channel, language, batch)  # a group by column (batch.py): the planner's path

See templates/README.md for the variables and filters a template may use.
"""

from loan_comms.templating.problems import Problem
from loan_comms.templating.sms import SmsLength, sms_length
from loan_comms.templating.store import CompiledTemplate, Rendered, RenderError, TemplateStore, templates_dir

__all__ = ["CompiledTemplate", "Problem", "Rendered", "RenderError", "SmsLength", "TemplateStore", "sms_length", "templates_dir"]

from loan_comms.templating.lint import lint  # noqa: E402  (after the store it builds on)
from loan_comms.templating.gallery import preview  # noqa: E402

__all__ += ["lint", "preview"]
