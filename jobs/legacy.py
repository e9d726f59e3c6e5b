"""Old job documents have flat fields (`nombre`, `rut`, `monto_total`, ...)
and no `contact`/`payload`; the React frontend reads `job.contact.name`
unguarded. Responses add the derived objects; the stored document is never
rewritten for this (docs/api.md, "Legacy job documents")."""


def _phones(document):
    phones = []
    candidates = [document.get("to_number")]
    if isinstance(document.get("try_phones"), list):
        candidates += document["try_phones"]
    for phone in candidates:
        if isinstance(phone, str) and phone and phone not in phones:
            phones.append(phone)
    return phones


def _first_present(document, *keys):
    return next((document[key] for key in keys if document.get(key) not in (None, "")), None)


def derived_contact(document):
    return {
        "name": document.get("nombre"),
        "dni": _first_present(document, "rut_fmt", "rut"),
        "phones": _phones(document),
        "next_phone_index": 0,
    }


def derived_payload(document):
    return {
        "debt_amount": _first_present(document, "monto_total", "deuda"),
        "due_date": document.get("fecha_limite"),
        "company_name": document.get("origen_empresa"),
        "additional_info": {
            "cantidad_cupones": document.get("cantidad_cupones"),
            "fecha_maxima": document.get("fecha_maxima"),
        },
    }


def with_derived_contact_and_payload(document):
    """The document, with `contact`/`payload` derived from the flat fields
    where it has none (missing or null)."""
    extra = {}
    if document.get("contact") is None:
        extra["contact"] = derived_contact(document)
    if document.get("payload") is None:
        extra["payload"] = derived_payload(document)
    return {**document, **extra} if extra else document
