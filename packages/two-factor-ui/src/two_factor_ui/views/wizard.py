"""A session wizard that never stores secrets and never checks a step twice.

formtools' wizard keeps every step's raw POST in the session and validates
all of them again at the end. That would keep the password in the session
and present one-time codes twice (the second try must fail). Here a valid
step is recorded as done; the final step ends the wizard directly.
"""

from __future__ import annotations

from typing import Any, ClassVar

from formtools.wizard.views import SessionWizardView

from ..a11y import describe_errors, focus_answer

__all__ = ["StepWizardView"]

DONE_KEY = "done_steps"


class StepWizardView(SessionWizardView):
    """Base of the login and setup wizards."""

    #: Steps whose posted data may be kept to fill the form in again.
    keep_data_steps: tuple[str, ...] = ()
    #: The type each ``extra_data`` key must have; a session holding anything
    #: else (an older layout, a tampered store) restarts the wizard.
    extra_types: ClassVar[dict[str, Any]] = {}

    # -- damaged session state ---------------------------------------------

    def known_steps(self) -> set[str]:
        """Every step name this wizard can have (whatever the conditions say now)."""
        return set(self.form_list)

    def extra_is_sound(self, extra: dict[str, Any]) -> bool:
        """Hook: do the ``extra_data`` values make sense beyond their types?"""
        return True

    def state_is_sound(self, data: Any) -> bool:
        """Is ``data`` (this wizard's session value) what this wizard writes?"""
        if not isinstance(data, dict):
            return False
        step, extra = data.get("step"), data.get("extra_data")
        if step is not None and (not isinstance(step, str) or step not in self.known_steps()):
            return False
        for key in ("step_data", "step_files"):
            value = data.get(key)
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and (v is None or isinstance(v, dict)) for k, v in value.items()
            ):
                return False
        if any(data["step_files"].values()):
            return False  # no step of these wizards takes files
        if not isinstance(extra, dict):
            return False
        done = extra.get(DONE_KEY, [])
        if not isinstance(done, list) or not all(isinstance(name, str) for name in done):
            return False
        for key, kind in self.extra_types.items():
            if key in extra and (
                not isinstance(extra[key], kind)
                or (isinstance(extra[key], bool) and bool not in _as_tuple(kind))
            ):
                return False
        return self.extra_is_sound(extra)

    # -- bookkeeping -------------------------------------------------------

    def get_form_list(self) -> Any:
        # Conditions read the wizard's storage, which changes within a
        # request; formtools' cache would keep a stale list.
        for name in ("_resolved_form_list", "_cache_signature", "_condition_dict_signature"):
            self.__dict__.pop(name, None)
        return super().get_form_list()

    @property
    def done_steps(self) -> list[str]:
        return list(self.storage.extra_data.get(DONE_KEY, []))

    def _set_extra(self, key: str, value: Any) -> None:
        extra = dict(self.storage.extra_data)
        extra[key] = value
        self.storage.extra_data = extra

    def forget_after(self, step: str) -> None:
        """Forget that ``step`` and every later step were completed."""
        order = list(self.get_form_list())
        if step not in order:
            return
        limit = order.index(step)
        keep = [name for name in self.done_steps if name in order and order.index(name) < limit]
        self._set_extra(DONE_KEY, keep)

    def process_step(self, form: Any) -> Any:
        step = self.steps.current
        self.forget_after(step)
        self.step_completed(step, form)
        self._set_extra(DONE_KEY, [*self.done_steps, step])
        if step in self.keep_data_steps:
            return self.get_form_step_data(form)
        # The posted values (a password, a one-time code) are not kept; None
        # also makes the form unbound should the step be shown again.
        return None

    def step_completed(self, step: str, form: Any) -> None:
        """Hook: ``form`` of ``step`` is valid."""

    # -- flow ----------------------------------------------------------------

    def post(self, *args: Any, **kwargs: Any) -> Any:
        posted = self.request.POST.get(f"{self.prefix}-current_step")
        if posted and posted not in self.get_form_list():
            # A step that does not apply now (crafted, or an old tab): show
            # the current one again.
            if self.steps.current not in self.get_form_list():
                self.storage.current_step = self.steps.first
            return self.render(self.get_form())
        return super().post(*args, **kwargs)

    def render_goto_step(self, goto_step: str, **kwargs: Any) -> Any:
        self.forget_after(goto_step)
        return super().render_goto_step(goto_step, **kwargs)

    def render_done(self, form: Any, **kwargs: Any) -> Any:
        for step in self.get_form_list():
            if step not in self.done_steps:
                # A step was skipped (a crafted post): show it instead.
                self.storage.current_step = step
                return self.render(self.get_form(step=step))
        response = self.done([form], form_dict={self.steps.current: form}, **kwargs)
        self.storage.reset()
        return response

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        # formtools copies its private storage into the context; the state of
        # a pending set-up may hold a secret, so only what we choose is shown.
        for key in self.storage.extra_data:
            context.pop(key, None)
        describe_errors(form)
        focus_answer(form)
        return context

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        session = getattr(request, "session", None)
        #: Did the session hold this wizard's state when the request came in?
        self.had_state = False
        if session is not None:
            key = f"wizard_{self.get_prefix(request, *args, **kwargs)}"
            if key in session and not self.state_is_sound(session[key]):
                del session[key]  # formtools starts a fresh wizard
            self.had_state = key in session
        response = super().dispatch(request, *args, **kwargs)
        if hasattr(request, "session"):
            request.session.modified = True
        return response


def _as_tuple(kind: Any) -> tuple[Any, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
