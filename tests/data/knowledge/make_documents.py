"""Writes the sample business's knowledge documents: Evergreen Vets, a small vet clinic.

Ten documents in every supported format (.md, .txt, .html, .docx via python-docx, .pdf via
the tiny writer below), used by tests/agents/test_retrieval_quality.py. The generated files
are checked in beside this script; rerun it after changing the text:

    .venv/bin/python tests/data/knowledge/make_documents.py [FOLDER]
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent

HOURS_MD = """\
# Opening hours

## Weekdays
Evergreen Vets is open Monday to Friday from 8 am to 7 pm. Reception answers the phone
from 7:30 am, so you can ring before the doors open.

## Weekends
On Saturdays we open from 9 am until 1 pm for appointments and collections. The clinic
is closed all day on Sundays.

## Public holidays
We are closed on public holidays, including Christmas Day, Boxing Day and New Year's Day.
Over the holidays, urgent cases are seen by our out-of-hours partner (see Emergencies).
"""

APPOINTMENTS_MD = """\
# Appointments

## Booking an appointment
You can book online at evergreenvets.example/book, by phone, or at the front desk. Most
routine appointments are available within two working days, and same-day slots are kept
back every morning for poorly pets.

## Cancellations
Please give us at least 24 hours' notice if you need to cancel or move an appointment.
Missed appointments without notice are charged a $25 fee.

## Late arrivals
If you arrive more than 10 minutes late we may have to rebook your pet for another slot,
so that other patients are not kept waiting.

## New clients
Registering a new pet with the practice is free. Please bring previous vaccination records
and any insurance details to the first visit.
"""

PRICES_HTML = """\
<!doctype html>
<html lang="en">
<head>
  <title>Prices | Evergreen Vets</title>
  <style>body { font-family: sans-serif; } h2 { color: green; }</style>
  <script>window.analytics = { track: function () { return "consultation"; } };</script>
</head>
<body>
  <nav><a href="/">Home</a></nav>
  <h1>Prices</h1>
  <p>All prices include tax.</p>
  <h2>Consultations</h2>
  <p>A standard consultation with one of our vets is $65 and lasts fifteen minutes.
     A follow-up visit for the same problem within two weeks is $35.</p>
  <h2>Vaccination prices</h2>
  <ul>
    <li>Yearly booster for a dog: $55</li>
    <li>Yearly booster for a cat: $50</li>
    <li>Puppy or kitten course of two injections: $90</li>
  </ul>
  <h2>Neutering</h2>
  <p>Spaying a female dog is from $320 and castrating a male dog from $250, depending on
     weight. Cat neutering is $120 for males and $160 for females.</p>
  <h2>Dental care</h2>
  <p>A scale and polish to clean your pet's teeth under general anaesthetic is $280;
     any extractions are charged on top.</p>
  <script>document.querySelectorAll("h2").forEach(function (h) { h.id = h.textContent; });</script>
</body>
</html>
"""

FAQ_HTML = """\
<!doctype html>
<html lang="en">
<head><title>Questions &amp; answers | Evergreen Vets</title>
<style>.faq { margin: 0 }</style></head>
<body>
<main class="faq">
  <h2>Home visits</h2>
  <p>For pets that cannot travel, and their owners, a vet can visit you at home within five
     miles of the clinic. The call-out fee is $120 plus the treatment.</p>
  <h2>Repeat prescriptions</h2>
  <p>Order repeat medication online or at the front desk at least 48 hours before you need
     it, then collect it from reception. Pets on long-term medication need a check-up every
     six months.</p>
  <h2>Microchipping</h2>
  <p>We microchip dogs, cats and rabbits during a normal consultation for $25. The law
     requires every dog to be chipped by eight weeks of age.</p>
</main>
</body>
</html>
"""

LOCATION_TXT = """\
Finding us

Our address is 42 Larch Avenue, Springfield, next to the public library.
Bus routes 7 and 12 stop right outside the clinic.

Parking

There is a free car park with 20 spaces behind the building, entered from Mill Lane.
Two spaces by the door are kept for blue badge holders.

Accessibility

The clinic is step-free, with a ramp for wheelchairs and buggies at the front entrance
and an accessible toilet in the waiting room.
"""

PAYMENTS_TXT = """\
Payment methods

We accept cash, all major debit and credit cards, Apple Pay and Google Pay. We no longer
accept cheques. Payment is due at the end of each visit.

Payment plans

For bills over $500 we can spread the cost over three monthly instalments, with no interest.

Health Club

Our Health Club membership is $18 a month for dogs and $14 a month for cats. It includes
yearly boosters, flea and worm treatment, two nail clips and 10% off all other treatment.
"""

INSURANCE_DOCX = [
    ("Title", "Pet insurance"),
    ("Heading 1", "Insurers we work with"),
    ("Normal", "We accept all major pet insurers, including PetPlan, Animal Friends and Agria."),
    ("Heading 1", "Direct claims"),
    (
        "Normal",
        "We can claim directly from your insurer, so you only pay the excess on the day. "
        "Bring your policy number and a signed claim form to the appointment.",
    ),
    ("Heading 1", "Uninsured pets"),
    (
        "Normal",
        "If your pet is not insured, payment is due at the time of treatment. Ask about "
        "our payment plans for larger bills.",
    ),
]

SERVICES_DOCX = [
    ("Heading 1", "Exotic pets"),
    (
        "Normal",
        "As well as dogs and cats, we treat rabbits, guinea pigs and ferrets. We do not "
        "treat reptiles or birds; we refer them to Springfield Exotics.",
    ),
    ("Heading 1", "Surgery and diagnostics"),
    (
        "Normal",
        "Our theatre handles routine and emergency operations. We have digital X-ray and "
        "ultrasound on site, and blood results are ready within the hour.",
    ),
    ("Heading 1", "Nurse clinics"),
    (
        "Normal",
        "Our nurses run free weight clinics, and nail clipping for dogs, cats and rabbits for "
        "$15, by appointment.",
    ),
    ("table", [("Clinic", "Price"), ("Weight clinic", "Free"), ("Nail clipping", "$15")]),
]

VACCINATIONS_PDF = [
    ("heading", "Vaccinations"),
    ("heading", "Puppies and kittens"),
    (
        "text",
        "Puppies and kittens have their first injection at eight weeks and a second one four "
        "weeks later. They can go outside one week after the second injection.",
    ),
    ("heading", "Yearly boosters"),
    (
        "text",
        "Dogs need an annual booster against leptospirosis, and against distemper and "
        "parvovirus every three years. Cats are vaccinated every year against cat flu and "
        "feline enteritis.",
    ),
    ("heading", "Rabies and travel"),
    (
        "text",
        "To travel abroad your pet needs a microchip, a rabies vaccination and a pet "
        "passport. The rabies vaccination must be given at least 21 days before you travel.",
    ),
    ("heading", "Kennel cough"),
    (
        "text",
        "Kennel cough protection is a quick spray up the nose. We recommend it before a stay "
        "in boarding kennels or doggy day care.",
    ),
]

EMERGENCIES_PDF = [
    ("heading", "Emergencies"),
    ("heading", "During opening hours"),
    (
        "text",
        "If your pet is badly hurt or suddenly very ill while we are open, ring us and come "
        "straight in. Urgent cases are always seen first.",
    ),
    ("heading", "Out of hours"),
    (
        "text",
        "At night, at weekends and on public holidays, call our partner Vets Now on "
        "555-0199. They are at 3 Station Road. Out-of-hours emergency consultations cost "
        "from $180.",
    ),
    ("heading", "Poisoning"),
    (
        "text",
        "If your pet has eaten chocolate, grapes, raisins, rat poison or human medicine, "
        "call us at once, even if they seem well. Bring the packaging with you.",
    ),
]


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in {
        "hours.md": HOURS_MD,
        "appointments.md": APPOINTMENTS_MD,
        "prices.html": PRICES_HTML,
        "faq.html": FAQ_HTML,
        "location.txt": LOCATION_TXT,
        "payments.txt": PAYMENTS_TXT,
    }.items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    for name, blocks in {"insurance.docx": INSURANCE_DOCX, "services.docx": SERVICES_DOCX}.items():
        write_docx(folder / name, blocks)
        written.append(folder / name)
    for name, blocks in {
        "vaccinations.pdf": VACCINATIONS_PDF,
        "emergencies.pdf": EMERGENCIES_PDF,
    }.items():
        write_pdf(folder / name, blocks)
        written.append(folder / name)
    return written


def write_docx(path: Path, blocks: list) -> None:
    import docx

    document = docx.Document()
    for style, content in blocks:
        if style == "table":
            table = document.add_table(rows=0, cols=len(content[0]))
            for row in content:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = text
        else:
            document.add_paragraph(content, style=style)
    document.core_properties.author = "Evergreen Vets"
    document.save(str(path))


def write_pdf(path: Path, blocks: list[tuple[str, str]]) -> None:
    """A minimal PDF 1.4: Helvetica, headings at 15 pt, body at 11 pt, A4 pages."""
    pages: list[list[str]] = [[]]
    y = 790.0
    for kind, text in blocks:
        size, leading = (15, 22) if kind == "heading" else (11, 14)
        lines = [text] if kind == "heading" else textwrap.wrap(text, 85)
        y -= 8 if kind == "heading" else 4
        for line in lines:
            if y < 60:
                pages.append([])
                y = 790.0
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            pages[-1].append(f"BT /F1 {size} Tf 56 {y:.0f} Td ({escaped}) Tj ET")
            y -= leading
    path.write_bytes(_pdf_bytes(["\n".join(page) for page in pages]))


def _pdf_bytes(streams: list[str]) -> bytes:
    count = len(streams)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, stream in enumerate(streams):
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
        )
        data = stream.encode("latin-1")
        objects.append(f"<< /Length {len(data)} >>\nstream\n{stream}\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for written in write_all(target):
        print(written)
