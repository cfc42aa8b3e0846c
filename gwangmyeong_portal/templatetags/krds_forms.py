"""Template helpers for the KRDS crispy-forms pack (templates/krds/).

KRDS marks inputs with its own classes, and every input must point at its hint and error text
with ``aria-describedby`` so a screen reader reads them with the field.
"""

from django import forms, template

register = template.Library()

_CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _describedby(field) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_hint")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.filter
def krds_describedby(field) -> str:
    return _describedby(field)


@register.filter
def krds_is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def krds_is_choice_group(field) -> bool:
    return isinstance(field.field.widget, _CHOICE_WIDGETS)


@register.filter
def krds_is_radio(field) -> bool:
    return isinstance(field.field.widget, forms.RadioSelect)


@register.filter
def krds_is_file(field) -> bool:
    return isinstance(field.field.widget, forms.FileInput)


@register.filter
def krds_widget(field):
    """Render the field's widget with KRDS classes and its aria links."""
    widget = field.field.widget
    attrs = {}
    existing = widget.attrs.get("class", "")
    if isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(widget, _CHOICE_WIDGETS):
        css = "krds-form-select"
    elif isinstance(widget, forms.CheckboxInput | forms.FileInput) or isinstance(widget, _CHOICE_WIDGETS):
        css = ""
    else:
        css = "krds-input"
    if css:
        attrs["class"] = f"{css} {existing}".strip()
    describedby = _describedby(field)
    if describedby and not isinstance(widget, _CHOICE_WIDGETS):
        attrs["aria-describedby"] = describedby
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.field.required and not isinstance(widget, (forms.CheckboxInput, *_CHOICE_WIDGETS)):
        attrs["aria-required"] = "true"
    return field.as_widget(attrs=attrs)
