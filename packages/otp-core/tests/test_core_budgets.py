"""Send budgets (issue 8): per destination, per user and per client, in the ledger."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override
from otp_example.models import ExampleChallengeDevice, outbox

from otp_core import budgets, checks
from otp_core.challenges import ChallengeNotAllowed, issue_challenge
from otp_core.forms import OTPTokenForm
from otp_core.models import SendRecord
from otp_core.setup import SetupStepForm
from otp_core.setup_challenge import ChallengeSetupMixin

pytestmark = pytest.mark.django_db

KEY_A = "budget-test-key-a-0123456789abcdefghijklmnop"
KEY_B = "budget-test-key-b-0123456789abcdefghijklmnop"


@pytest.fixture(autouse=True)
def _documented_budgets(settings):
    settings.OTP_SEND_BUDGET_DESTINATION = [(3, 600), (10, 86400)]
    settings.OTP_SEND_BUDGET_USER = [(5, 600), (20, 86400)]
    settings.OTP_SEND_BUDGET_CLIENT = [(10, 600), (50, 86400)]
    outbox.clear()
    yield
    outbox.clear()


@pytest.fixture
def one_number(monkeypatch):
    """Every example device sends to the same number, as phone devices would."""
    monkeypatch.setattr(
        ExampleChallengeDevice, "budget_destination", lambda self: ("sms", "tel:+31612345678")
    )


def new_device(user, name="Text messages"):
    return ExampleChallengeDevice.objects.create(user=user, name=name)


def send_all(devices, attempts, request=None):
    """Ask every device in turn for ``attempts`` codes; return the refusals."""
    refusals = []
    for i in range(attempts):
        device = devices[i % len(devices)]
        try:
            issue_challenge(device, request=request)
        except ChallengeNotAllowed as exc:
            refusals.append(exc.details)
    return refusals


def age_ledger(seconds):
    SendRecord.objects.update(sent_at=timezone.now() - timedelta(seconds=seconds))


def test_one_destination_gets_three_codes_in_ten_minutes(user):
    device = new_device(user)
    refusals = send_all([device], 10)
    assert len(outbox) == 3
    assert len(refusals) == 7
    details = refusals[0]
    assert details["reason"] == budgets.SEND_BUDGET_EXHAUSTED == "SEND_BUDGET_EXHAUSTED"
    assert details["scope"] == "destination"
    first = SendRecord.objects.order_by("sent_at").first().sent_at
    assert details["next_generation_at"] == first + timedelta(seconds=600)


def test_the_short_window_moves_on_and_the_daily_one_holds(user):
    device = new_device(user)
    for _ in range(5):
        send_all([device], 5)
        age_ledger(601)
    # 3 + 3 + 3 + 1 (the tenth of the day) + 0.
    assert len(outbox) == 10
    age_ledger(86401)
    send_all([device], 1)
    assert len(outbox) == 11


def pending_device(user, name="Text messages"):
    return ExampleChallengeDevice.objects.create(user=user, name=name, confirmed=False)


def test_new_devices_do_not_reset_a_destination(user, other_user, one_number):
    devices = [pending_device(user, f"d{i}") for i in range(4)]
    devices += [pending_device(other_user, f"e{i}") for i in range(4)]
    send_all(devices, 40)
    assert len(outbox) == 3
    # Deleting every device (or the account) gives the number no fresh budget.
    ExampleChallengeDevice.objects.all().delete()
    other_user.delete()
    send_all([pending_device(user, "again")], 5)
    assert len(outbox) == 3


def test_other_accounts_set_ups_cannot_deny_a_confirmed_devices_sign_in(
    user, other_user, django_user_model, one_number
):
    """Issue 8 follow-up: a third party exhausting the victim's number in set-up."""
    victim = new_device(user, "victim's phone")
    # The attacker restarts the set-up wizard with the victim's number until refused.
    for _ in range(6):
        SendStep({}, user=other_user, state={}).is_valid()
    assert len(outbox) == 3
    # The victim's confirmed device still sends its sign-in codes ...
    assert send_all([victim], 3) == []
    assert len(outbox) == 6
    form = OTPTokenForm(user, None, data={"otp_device": victim.persistent_id, "otp_challenge": "1"})
    assert not form.is_valid()
    assert [e.code for e in form.non_field_errors().as_data()] == ["send_budget"]
    # ... and the set-up path stays capped for every account.
    third = django_user_model.objects.create_user("third", password="x")
    form = SendStep({}, user=third, state={})
    assert not form.is_valid()
    assert form.errors["__all__"][0].startswith("Too many codes were sent.")
    assert len(outbox) == 6


def test_a_confirmed_devices_sends_still_cap_set_ups_of_its_number(user, other_user, one_number):
    send_all([new_device(user)], 3)
    form = SendStep({}, user=other_user, state={})
    assert not form.is_valid()
    assert len(outbox) == 3


def test_one_user_gets_five_codes_whatever_the_destinations(user, other_user):
    devices = [new_device(user, f"d{i}") for i in range(8)]
    refusals = send_all(devices, 40)
    assert len(outbox) == 5
    assert {r["scope"] for r in refusals} == {"user"}
    # Another user is not affected.
    send_all([new_device(other_user)], 1)
    assert len(outbox) == 6


def test_one_client_address_gets_ten_codes_across_accounts(rf, django_user_model):
    users = [django_user_model.objects.create_user(f"u{i}", password="x") for i in range(12)]
    for i, user in enumerate(users):
        # A header the client chooses changes nothing by default.
        request = rf.post("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
        send_all([new_device(user)], 1, request=request)
    assert len(outbox) == 10
    assert SendRecord.objects.filter(client_digest="").count() == 0


def test_a_trusted_proxy_header_names_the_client(rf, django_user_model, settings):
    settings.OTP_CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    users = [django_user_model.objects.create_user(f"u{i}", password="x") for i in range(12)]
    for i, user in enumerate(users):
        request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP=f"198.51.100.{i}")
        send_all([new_device(user)], 1, request=request)
    assert len(outbox) == 12
    request = rf.post("/", HTTP_X_REAL_IP="203.0.113.9, 198.51.100.1")
    assert budgets.client_address(request) == "198.51.100.1"


def test_a_failed_delivery_spends_nothing(user, monkeypatch):
    device = new_device(user)

    def broken(self, request):
        self.generate_code()
        raise OSError("gateway down")

    monkeypatch.setattr(ExampleChallengeDevice, "_challenge", broken)
    for _ in range(5):
        with pytest.raises(OSError, match="gateway down"):
            issue_challenge(device)
    assert SendRecord.objects.count() == 0


def test_the_ledger_holds_keyed_digests_only(user, one_number):
    send_all([new_device(user)], 1)
    row = SendRecord.objects.get()
    assert row.channel == "sms"
    assert row.user_id == user.pk
    assert len(row.destination_digest) == 64
    assert "3161" not in row.destination_digest
    assert row.destination_digest == budgets.digests("tel:+31612345678")[0]


def test_key_rotation_keeps_budgets_while_the_old_key_is_listed(user, settings):
    settings.OTP_ENCRYPTION_KEYS = [KEY_A]
    device = new_device(user)
    send_all([device], 3)
    settings.OTP_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    send_all([device], 3)
    assert len(outbox) == 3
    # Documented: once the old key is gone, the destination starts afresh
    # (the user's budget, counted by account, still holds).
    settings.OTP_ENCRYPTION_KEYS = [KEY_B]
    send_all([device], 3)
    assert len(outbox) == 5


def test_an_empty_list_switches_a_budget_off(user, settings):
    settings.OTP_SEND_BUDGET_DESTINATION = []
    settings.OTP_SEND_BUDGET_USER = []
    send_all([new_device(user)], 12)
    assert len(outbox) == 12


def test_refusal_message_counts_minutes():
    now = timezone.now()
    details = {"reason": budgets.SEND_BUDGET_EXHAUSTED}
    message = budgets.refusal_message(
        {**details, "next_generation_at": now + timedelta(seconds=30)}
    )
    assert message == "Too many codes were sent. Please try again in 1 minute."
    message = budgets.refusal_message({**details, "next_generation_at": now + timedelta(minutes=9)})
    assert message == "Too many codes were sent. Please try again in 9 minutes."
    assert budgets.refusal_message({"reason": "COOLDOWN_DURATION_PENDING"}) is None
    assert budgets.refusal_message(None) is None


def test_sign_in_form_says_the_budget_is_spent(user):
    device = new_device(user)
    send_all([device], 3)
    form = OTPTokenForm(user, None, data={"otp_device": device.persistent_id, "otp_challenge": "1"})
    assert not form.is_valid()
    [error] = form.non_field_errors().as_data()
    assert error.code == "send_budget"
    with override("en"):
        assert "Too many codes were sent" in error.messages[0]


# -- one pending device per user and kind ---------------------------------------


class _Setup(ChallengeSetupMixin):
    device_model = "otp_example.ExampleChallengeDevice"
    state_key = "example_pending"
    error_messages = {"cooldown": "wait", "delivery_failed": "could not send"}


class SendStep(_Setup, SetupStepForm):
    def clean(self):
        cleaned = super().clean()
        self.send_code(
            lambda device: (
                device or ExampleChallengeDevice(user=self.user, name="n", confirmed=False)
            )
        )
        return cleaned


def test_a_restarted_set_up_reuses_the_pending_device(user):
    for _ in range(10):
        # A fresh state each time: a new session, or a wizard restarted by GET.
        form = SendStep({}, user=user, state={})
        form.is_valid()
    assert ExampleChallengeDevice.objects.filter(user=user, confirmed=False).count() == 1
    assert len(outbox) == 3
    assert form.errors["__all__"][0].startswith("Too many codes were sent.")


def test_older_pending_devices_are_deleted(user):
    old = [
        ExampleChallengeDevice.objects.create(user=user, name=f"p{i}", confirmed=False)
        for i in range(3)
    ]
    confirmed = new_device(user, "mine")
    state = {"example_pending": old[1].pk}
    assert SendStep(user=user, state=state).pending_device() == old[1]
    remaining = ExampleChallengeDevice.objects.filter(user=user)
    assert set(remaining) == {old[1], confirmed}


def test_pending_devices_expire(user, settings):
    settings.OTP_PENDING_DEVICE_TTL = 3600
    stale = ExampleChallengeDevice.objects.create(user=user, name="p", confirmed=False)
    ExampleChallengeDevice.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(seconds=3601)
    )
    assert SendStep(user=user, state={"example_pending": stale.pk}).pending_device() is None
    assert not ExampleChallengeDevice.objects.filter(pk=stale.pk).exists()


def test_pending_devices_without_created_at_expire(user):
    """Rows imported from django-otp have no creation time: they count as expired."""
    stale = ExampleChallengeDevice.objects.create(user=user, name="p", confirmed=False)
    ExampleChallengeDevice.objects.filter(pk=stale.pk).update(created_at=None)
    assert SendStep(user=user, state={"example_pending": stale.pk}).pending_device() is None
    assert not ExampleChallengeDevice.objects.filter(pk=stale.pk).exists()


def test_prune_command_deletes_pending_devices_without_created_at(user):
    stale = ExampleChallengeDevice.objects.create(user=user, name="p", confirmed=False)
    kept = new_device(user, "mine")
    ExampleChallengeDevice.objects.filter(pk__in=[stale.pk, kept.pk]).update(created_at=None)
    out = io.StringIO()
    call_command("otp_prune_sends", stdout=out)
    assert out.getvalue() == "Deleted 0 send records and 1 expired pending devices.\n"
    assert list(ExampleChallengeDevice.objects.all()) == [kept]


def test_a_pending_device_is_never_usable_for_sign_in(user):
    pending = ExampleChallengeDevice.objects.create(user=user, name="p", confirmed=False)
    form = OTPTokenForm(
        user, None, data={"otp_device": pending.persistent_id, "otp_challenge": "1"}
    )
    assert not form.is_valid()
    assert outbox == []
    assert pending.persistent_id not in [value for value, _ in form.fields["otp_device"].choices]


# -- pruning and checks -----------------------------------------------------------


def test_prune_command_deletes_old_rows_and_expired_pending_devices(user, settings):
    settings.OTP_PENDING_DEVICE_TTL = 3600
    send_all([new_device(user)], 2)
    age_ledger(86401)
    send_all([new_device(user, "fresh")], 1)
    stale = ExampleChallengeDevice.objects.create(user=user, name="p", confirmed=False)
    ExampleChallengeDevice.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(seconds=3601)
    )
    out = io.StringIO()
    call_command("otp_prune_sends", stdout=out)
    assert out.getvalue() == "Deleted 2 send records and 1 expired pending devices.\n"
    assert SendRecord.objects.count() == 1
    assert not ExampleChallengeDevice.objects.filter(pk=stale.pk).exists()
    assert ExampleChallengeDevice.objects.filter(confirmed=True).count() == 2


@pytest.mark.parametrize(
    "value", [None, 3, [(3,)], [(0, 600)], [(3, "600")], [(True, 600)], "3/600"]
)
@pytest.mark.parametrize(
    "name", ["OTP_SEND_BUDGET_DESTINATION", "OTP_SEND_BUDGET_USER", "OTP_SEND_BUDGET_CLIENT"]
)
def test_wrong_budget_is_e010(name, value, settings):
    setattr(settings, name, value)
    assert [m.id for m in checks.check_send_budgets()] == ["otp_core.E010"]


def test_documented_defaults_pass_the_checks():
    assert checks.check_send_budgets() == []


@pytest.mark.parametrize("value", [0, 59, "3600", None, 1.5])
def test_wrong_pending_device_ttl_is_e011(value, settings):
    settings.OTP_PENDING_DEVICE_TTL = value
    assert [m.id for m in checks.check_send_budgets()] == ["otp_core.E011"]


@pytest.mark.parametrize("value", ["X-Forwarded-For", "", None, "SERVER_NAME"])
def test_wrong_client_address_header_is_e012(value, settings):
    settings.OTP_CLIENT_ADDRESS_HEADER = value
    assert [m.id for m in checks.check_send_budgets()] == ["otp_core.E012"]
