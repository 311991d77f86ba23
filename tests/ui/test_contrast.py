"""Badges and coloured text read at WCAG AA (4.5:1) in a light and in a dark palette."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.domain.status import CampaignState, ContactStatus
from app.ui.campaigns.badges import BADGE_TEXT, STATUS_COLOURS, badge_colour, badge_style
from app.ui.contrast import AA_NORMAL_TEXT, contrast_ratio, readable_on, text_colour
from app.ui.results.agent_result import NEUTRAL_FILL, OUTCOME_COLOURS
from app.ui.results.header import CallHeader
from tests.ui.results.test_header import DETAIL

PALETTES = {
    # (window, base, text): Fusion's light palette, and a typical desktop dark one.
    "light": ("#efefef", "#ffffff", "#000000"),
    "dark": ("#2b2b2b", "#1e1e1e", "#e8eaed"),
}
STYLE_COLOURS = re.compile(r"(background|color)\s*:\s*(#[0-9a-fA-F]{6})")


@pytest.fixture(params=sorted(PALETTES))
def palette(request, qapp):
    window, base, text = PALETTES[request.param]
    previous = QApplication.palette()
    palette = QPalette(previous)
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        palette.setColor(role, QColor(text))
    QApplication.setPalette(palette)
    yield palette
    QApplication.setPalette(previous)


def test_the_contrast_formula():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#123456", "#123456") == 1.0


def test_every_status_and_state_has_a_badge_that_reads(palette):
    statuses = [s.value for s in ContactStatus] + [s.value for s in CampaignState]
    for status in statuses:
        fill = badge_colour(status)
        assert fill is not None, f"{status} has no badge colour"
        assert contrast_ratio(BADGE_TEXT, fill) >= AA_NORMAL_TEXT, status
    for fill in [*OUTCOME_COLOURS.values(), NEUTRAL_FILL, *STATUS_COLOURS.values()]:
        style = dict(STYLE_COLOURS.findall(badge_style(fill)))
        assert contrast_ratio(style["color"], style["background"]) >= AA_NORMAL_TEXT, fill


def test_the_call_header_reads_in_either_palette(qtbot, palette):
    header = CallHeader()
    qtbot.addWidget(header)
    failed = replace(DETAIL.row, status="failed", reason="Twilio refused the number (21215)")
    header.show_call(replace(DETAIL, row=failed, simulated=True))
    badge = dict(STYLE_COLOURS.findall(header.badge.styleSheet()))
    assert contrast_ratio(badge["color"], badge["background"]) >= AA_NORMAL_TEXT
    window = palette.color(QPalette.ColorRole.Window)
    text_colours = [c for kind, c in STYLE_COLOURS.findall(header.facts.text()) if kind == "color"]
    assert len(text_colours) == 2  # the simulated note and the reason
    for colour in text_colours:
        assert contrast_ratio(colour, window) >= AA_NORMAL_TEXT, colour


@pytest.mark.parametrize("colour", ["#a94442", "#b00020", "#8a5300", "#8a6d3b", "#7a5a00"])
def test_warning_and_error_text_is_lightened_on_a_dark_window(palette, colour):
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        shown = text_colour(colour, role)
        assert contrast_ratio(shown, palette.color(role)) >= AA_NORMAL_TEXT
    window = palette.color(QPalette.ColorRole.Window)
    if contrast_ratio(colour, window) >= AA_NORMAL_TEXT:
        assert text_colour(colour) == QColor(colour).name()  # readable already: kept as is
    elif window.lightness() > 128:
        assert QColor(text_colour(colour)).lightness() < QColor(colour).lightness()
    else:
        assert QColor(text_colour(colour)).lightness() > QColor(colour).lightness()


def test_readable_on_keeps_the_hue():
    lightened = QColor(readable_on("#a94442", QColor("#1e1e1e")))
    assert abs(lightened.hslHue() - QColor("#a94442").hslHue()) <= 2
