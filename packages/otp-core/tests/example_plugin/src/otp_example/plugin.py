from otp_core.plugins import Plugin

plugin = Plugin(
    name="example",
    app="otp_example",
    label="Example codes",
    factor_kind="otp",
    device_models=(
        "otp_example.ExampleDevice",
        "otp_example.ExampleChallengeDevice",
        "otp_example.HardwareExampleDevice",
        "otp_example.ExampleOATHDevice",
    ),
    description="Counter codes for tests.",
    interactive=False,
    # Lets UIs (two-factor-ui's tests) set up an ExampleDevice like a real plugin.
    setup_forms=("otp_example.forms.ExampleSetupForm",),
)
