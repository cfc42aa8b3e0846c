"""알림톡 settings: production refuses the logging backend and a SOLAPI backend without the callback
secret; a bad ALIMTALK_TEMPLATES stops start-up naming the variable; dev logs 알림톡."""

from tests.test_settings_modes import PROD_ENV, load

PROBE_ALIMTALK = "print(settings.ALIMTALK_BACKEND, settings.ALIMTALK_TEMPLATES)"


def test_production_refuses_to_write_alimtalk_to_the_log():
    result = load("production", **PROD_ENV, ALIMTALK_BACKEND="notifications.alimtalk.LoggingAlimtalkBackend")
    assert result.returncode != 0
    assert "ALIMTALK_BACKEND" in result.stderr.strip().splitlines()[-1]


def test_production_with_solapi_needs_the_callback_secret():
    result = load("production", **PROD_ENV, ALIMTALK_BACKEND="notifications.alimtalk.SolapiAlimtalkBackend")
    assert result.returncode != 0
    assert "SOLAPI_WEBHOOK_TOKEN" in result.stderr.strip().splitlines()[-1]
    result = load("production", **PROD_ENV, ALIMTALK_BACKEND="notifications.alimtalk.SolapiAlimtalkBackend",
                  SOLAPI_WEBHOOK_TOKEN="s" * 32)
    assert result.returncode == 0, result.stderr


def test_a_malformed_template_mapping_stops_start_up_naming_the_variable():
    result = load("dev", ALIMTALK_TEMPLATES="notifications.test")
    assert result.returncode != 0
    assert "ALIMTALK_TEMPLATES" in result.stderr.strip().splitlines()[-1]
