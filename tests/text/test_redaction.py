"""Unit tests for consult.text.redaction: the personal-data detector behind moderators' hints."""

from __future__ import annotations

import itertools

import pytest

from consult.text.redaction import (
    PLACEHOLDERS,
    PersonalDataHit,
    find_personal_data,
    highlight_segments,
    suggest_redaction,
)


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    return [(hit.kind, hit.text) for hit in find_personal_data(text)]


def only_hit(text: str) -> PersonalDataHit:
    hits = find_personal_data(text)
    assert len(hits) == 1, hits
    return hits[0]


# --- phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        # International, as people write them
        "+49 151 23456789",
        "+49-176-12345678",
        "+49 (0)30 1234567",
        "+44 7911 123456",
        "+1 202 456 1111",
        "+90 532 123 45 67",
        "+961 3 123 456",
        "+380 67 123 4567",
        "+33 6 12 34 56 78",
        "+252 61 5123456",
        "+251 91 123 4567",
        "+509 34 12 3456",
        "+7 912 345-67-89",
        # "00" instead of "+"
        "0049 30 1234567",
        "0033 6 12 34 56 78",
        # Local formats: Germany, Jordan, Turkey, France, Spain, US, Ukraine, Pakistan, Iran,
        # Lebanon, Egypt, Kenya, Afghanistan, Syria, Russia
        "0151 2345 6789",
        "(030) 1234567",
        "0176/12345678",
        "0151.2345.6789",
        "0790 123 4567",
        "0790123456",
        "0532 123 45 67",
        "06 12 34 56 78",
        "612 34 56 78",
        "(202) 456-1111",
        "050 123 45 67",
        "0300 1234567",
        "0912 345 6789",
        "03 123 456",
        "010 1234 5678",
        "0712 345 678",
        "0701 234 567",
        "0944 123 456",
        "8 912 345-67-89",
    ],
)
def test_phone_numbers_as_people_write_them(number: str) -> None:
    text = f"You can reach me on {number} in the evening."
    hit = only_hit(text)
    assert (hit.kind, hit.text) == ("phone", number)
    assert text[hit.start : hit.end] == number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("رقمي ٠٧٩٠ ١٢٣ ٤٥٦٧ شكرا", "٠٧٩٠ ١٢٣ ٤٥٦٧"),  # Arabic-Indic, Jordan mobile
        ("اتصل على +٩٦٢ ٧٩ ١٢٣ ٤٥٦٧ من فضلك", "+٩٦٢ ٧٩ ١٢٣ ٤٥٦٧"),
        ("رقم هاتفي ٠٠٩٦٣٩٤٤١٢٣٤٥٦", "٠٠٩٦٣٩٤٤١٢٣٤٥٦"),  # Syria with 00, no spaces
        ("شماره من ۰۹۱۲ ۳۴۵ ۶۷۸۹ است", "۰۹۱۲ ۳۴۵ ۶۷۸۹"),  # Persian digits, Iran mobile
        ("شمیرهٔ من ۰۷۰۱ ۲۳۴ ۵۶۷ است", "۰۷۰۱ ۲۳۴ ۵۶۷"),  # Persian digits, Afghan mobile
        ("میرا نمبر ۰۳۰۰ ۱۲۳۴۵۶۷ ہے", "۰۳۰۰ ۱۲۳۴۵۶۷"),  # Urdu, Pakistan mobile
    ],
)
def test_phone_numbers_in_arabic_indic_and_persian_digits(text: str, number: str) -> None:
    hit = only_hit(text)
    assert hit.kind == "phone"
    assert hit.text == number  # offsets point into the original, not the normalised copy
    assert text[hit.start : hit.end] == number


def test_several_phone_numbers_in_one_run() -> None:
    assert kinds_and_texts("tel: 0790123456 / 0791234567") == [
        ("phone", "0790123456"),
        ("phone", "0791234567"),
    ]
    assert kinds_and_texts("Since 1990 0790123456 is my number") == [("phone", "0790123456")]


# --- e-mail and URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["ahmed.k@gmail.com", "fatima_92+consult@yahoo.fr", "olena.p@ukr.net", "علي@mail.com"],
)
def test_email_addresses(address: str) -> None:
    text = f"Write to {address}, thanks."
    hit = only_hit(text)
    assert (hit.kind, hit.text) == ("email", address)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/x?y=1",
        "http://facebook.com/ahmed.k",
        "www.unhcr.org",
        "example.org/path",
        "bamf.de",
        "facebook.com/fatima.92",
        "my-blog.net",
        "site.it/about",
    ],
)
def test_urls(url: str) -> None:
    text = f"See {url}. Thanks"
    hit = only_hit(text)
    assert (hit.kind, hit.text) == ("url", url)


def test_url_keeps_closing_parenthesis_it_contains_but_not_sentence_punctuation() -> None:
    assert kinds_and_texts("(see https://en.wikipedia.org/wiki/Foo_(bar)).") == [
        ("url", "https://en.wikipedia.org/wiki/Foo_(bar)")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "i was tired.it was a long day.",
        "We arrived.The end.",
        "La vida es difícil.es muy caro.",
        "See the file report.pdf and e.g. the form.",
    ],
)
def test_words_with_a_dot_are_not_urls(text: str) -> None:
    assert find_personal_data(text) == []


# --- identity, passport and case numbers --------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["ABC-12C34567", "123-16C01234", "LBN-15-123456", "P1234567", "X12345678", "AB1234567"],
)
def test_case_and_passport_numbers(number: str) -> None:
    text = f"My number is {number}."
    hit = only_hit(text)
    assert (hit.kind, hit.text) == ("id_number", number)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("My UNHCR case number is 12345678.", "12345678"),
        ("passport 123456789", "123456789"),
        ("Aktenzeichen 7654321-475", "7654321-475"),
        ("file no. 123456", "123456"),
        ("رقم الملف ١٢٣٤٥٦٧٨", "١٢٣٤٥٦٧٨"),
        ("شماره پرونده من ۱۲۳۴۵۶۷۸ است", "۱۲۳۴۵۶۷۸"),
    ],
)
def test_long_digit_runs_are_id_numbers(text: str, number: str) -> None:
    hit = only_hit(text)
    assert (hit.kind, hit.text) == ("id_number", number)


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # English
        ("My name is Ahmed Al-Hassan and I live in Berlin.", "Ahmed Al-Hassan"),
        ("Hello, I am called Fatima.", "Fatima"),
        ("Call me Abu Ali, everybody does.", "Abu Ali"),
        ("my name's John Smith", "John Smith"),
        # Arabic
        ("اسمي أحمد وأنا من سوريا", "أحمد"),
        ("انا اسمي محمد عبد الله، عمري ٣٠ سنة", "محمد عبد الله"),
        ("اسمي هو فاطمة", "فاطمة"),
        # Persian / Dari
        ("اسم من علی رضایی است", "علی رضایی"),
        ("نام من فریبا است و از کابل آمدم", "فریبا"),
        # Pashto
        ("زما نوم ګل احمد دی", "ګل احمد"),
        # Urdu
        ("میرا نام محمد علی ہے", "محمد علی"),
        # Tigrinya, Amharic
        ("ስመይ ዳዊት ተስፋይ እዩ።", "ዳዊት ተስፋይ"),
        ("ስመይ ሰላም እዩ", "ሰላም"),
        ("ስሜ አበበ ነው", "አበበ"),
        # Ukrainian, Russian
        ("Мене звати Олена.", "Олена"),
        ("Моє ім'я Тарас Шевченко", "Тарас Шевченко"),
        ("Меня зовут Ольга Петрова.", "Ольга Петрова"),
        # Spanish, French
        ("Me llamo Juan de la Cruz", "Juan de la Cruz"),
        ("Mi nombre es María José García López", "María José García"),
        ("Je m'appelle Marie.", "Marie"),
        ("Bonjour, mon nom est Diallo", "Diallo"),
        # Swahili, Somali
        ("Jina langu ni Amina Hassan.", "Amina Hassan"),
        ("Naitwa Baraka", "Baraka"),
        ("Magacaygu waa Cali Xasan", "Cali Xasan"),
        ("Waxaa la i yiraahdaa Xaliimo", "Xaliimo"),
        # Turkish
        ("Benim adım Mehmet.", "Mehmet"),
        ("Adım Ayşe, Suriyeliyim.", "Ayşe"),
        # Haitian Creole
        ("Non mwen se Jean Baptiste", "Jean Baptiste"),
        ("Mwen rele Wideline", "Wideline"),
    ],
)
def test_names_after_my_name_is(text: str, name: str) -> None:
    hit = only_hit(text)
    assert (hit.kind, hit.text) == ("name", name)
    assert text[hit.start : hit.end] == name


@pytest.mark.parametrize(
    "text",
    [
        "call me tomorrow please",  # not capitalised: not a name
        "Call me on Monday.",  # capitalised, but a day
        "My name is not important.",
        "my name is ahmed",  # conservative: lowercase is not proposed
        "ilk adım Türkiye'ye gitmekti",  # Turkish "adım" = "step" mid-sentence
        "اسمي لا يهم",  # "my name does not matter"
        "نام من را نمی‌گویم",  # "I won't say my name"
    ],
)
def test_no_name_proposed(text: str) -> None:
    assert [hit for hit in find_personal_data(text) if hit.kind == "name"] == []


# --- what is not personal data ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We arrived in 2016. The camp had 3000 people and 12 doctors.",
        "Nous sommes arrivés en France le 14/09/2016 et nous avons payé 500 euros.",
        "Llegamos en 2015-2016. La vida es difícil.",
        "وصلنا إلى ألمانيا في عام ٢٠١٦ ودفعنا ٥٠٠ يورو. الحياة صعبة.",
        "ما در سال ۱۳۹۵ به آلمان آمدیم و ۳ فرزند داریم.",
        "Мы приехали в 2022 году. Жизнь трудная, аренда 800 евро.",
        "Ми приїхали 24.02.2022. Діти ходять до школи.",
        "2016 yılında Türkiye'ye geldik. Kira 5000 TL.",
        "Tulifika Kenya mwaka 2018 na watoto 4.",
        "Waxaan imid 2019. Nolosha waa adag tahay.",
        "Nou rive an 2010 apre tranblemanntè a.",
        "The meeting is at 10:30 on 3.5.2021, version 2.0, page 12 of 40.",
        "The rent is 1.200.000 lira per year, or €1500 a month, or 250000 euros in total.",
        "Pi is 3.1415926 and the date was 2016-09-14.",
        "The UNHCR office in Beirut and the IOM in Amman helped us.",
        "We waited from 2014 2015 2016 until now.",
        "I paid $ 250000 to the smuggler.",
        "",
    ],
)
def test_ordinary_text_has_no_hits(text: str) -> None:
    assert find_personal_data(text) == []


# --- suggestions and segments -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "My name is Ahmed, call me on +49 151 23456789 or write to ahmed.k@gmail.com.",
            "My name is [name], call me on [phone] or write to [email].",
        ),
        (
            "My UNHCR case is LBN-15-123456 and my passport P1234567. See facebook.com/ahmed.k!",
            "My UNHCR case is [id number] and my passport [id number]. See [url]!",
        ),
        ("اسمي أحمد ورقمي ٠٧٩٠ ١٢٣ ٤٥٦٧", "اسمي [name] ورقمي [phone]"),
        ("اسم من علی است. شماره: ۰۹۱۲ ۳۴۵ ۶۷۸۹", "اسم من [name] است. شماره: [phone]"),
        ("ስመይ ሰላም እዩ።", "ስመይ [name] እዩ።"),
        ("Nothing personal here, in 2016.", "Nothing personal here, in 2016."),
    ],
)
def test_suggest_redaction(text: str, expected: str) -> None:
    assert suggest_redaction(text) == expected


SAMPLE = (
    "Je m'appelle Marie. Mon numéro: 06 12 34 56 78, marie@example.fr, "
    "https://example.org/a. اسمي أحمد ورقمي ٠٧٩٠ ١٢٣ ٤٥٦٧. Dossier ABC-12C34567."
)


def test_hits_are_sorted_non_overlapping_and_map_to_the_original() -> None:
    hits = find_personal_data(SAMPLE)
    assert [hit.kind for hit in hits] == [
        "name",
        "phone",
        "email",
        "url",
        "name",
        "phone",
        "id_number",
    ]
    for previous, following in itertools.pairwise(hits):
        assert previous.end <= following.start
    for hit in hits:
        assert SAMPLE[hit.start : hit.end] == hit.text
        assert hit.kind in PLACEHOLDERS


def test_longest_most_specific_hit_wins() -> None:
    # The e-mail contains a domain; the URL contains a phone number.
    assert kinds_and_texts("ahmed@example.org") == [("email", "ahmed@example.org")]
    assert kinds_and_texts("https://wa.me/+962791234567 now") == [
        ("url", "https://wa.me/+962791234567")
    ]


def test_highlight_segments_join_back_to_the_original() -> None:
    segments = highlight_segments(SAMPLE)
    assert "".join(segment for segment, _ in segments) == SAMPLE
    assert [kind for _, kind in segments if kind] == [
        hit.kind for hit in find_personal_data(SAMPLE)
    ]
    assert segments[0] == ("Je m'appelle ", None)
    assert segments[1] == ("Marie", "name")
    assert segments[-1] == (".", None)
    assert all(segment for segment, _ in segments)  # no empty pieces


def test_highlight_segments_edge_cases() -> None:
    assert highlight_segments("") == []
    assert highlight_segments("nothing here") == [("nothing here", None)]
    assert highlight_segments("0790 123 4567") == [("0790 123 4567", "phone")]


def test_hits_are_immutable() -> None:
    hit = only_hit("0790 123 4567")
    with pytest.raises(AttributeError):
        hit.kind = "name"  # type: ignore[misc]


# --- speed --------------------------------------------------------------------------------------


def answer_of_2000_characters(seed: int) -> str:
    """A realistic long answer in several languages; the numbers differ with `seed`, so that
    nothing found in an earlier call can be reused."""
    parts = []
    for i in range(20):
        n = seed * 100 + i
        parts.append(
            f"We arrived in Germany in 2016 after {i + 2} years in Turkey and paid 500 euros. "
            f"My name is Ahmed, call me on 0151 2345 {n:04d} or write to ahmed{n}@example.org. "
            f"اسمي أحمد ورقمي 0790 123 {n:04d}. اسم من علی است، شماره: 0912 345 {n:04d}. "
        )
    return "".join(parts)[:2000]


def test_a_long_answer_full_of_numbers_is_scanned_whole() -> None:
    # Its speed is measured by benchmarks/redaction_speed.py, not asserted in a timed test.
    text = answer_of_2000_characters(2)
    assert len(text) == 2000
    hits = find_personal_data(text)
    assert len([hit for hit in hits if hit.kind == "phone"]) >= 15
