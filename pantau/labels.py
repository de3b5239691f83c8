"""The names of things as the pages and the recap write them (Bahasa Indonesia), and the topic
and review flags screening raises: one home for each list and its labels.

Month names live in pantau.calendar with the rest of the calendar.
"""

from __future__ import annotations

KIND_LABELS = {"pimpinan": "Pimpinan", "opd": "OPD", "kecamatan": "Kecamatan", "desa": "Desa",
               "kelurahan": "Kelurahan"}
PLATFORM_LABELS = {"website": "Situs web", "instagram": "Instagram", "facebook": "Facebook", "youtube": "YouTube",
                   "tiktok": "TikTok", "x": "X"}

TOPICS = ("pembangunan", "layanan", "kesehatan", "pendidikan", "seremonial")
# Topics that report work; `seremonial` is the one that does not.
WORK_TOPICS = ("pembangunan", "layanan", "kesehatan", "pendidikan")
REVIEW_FLAGS = ("pamer", "bahasa")

# Indonesian labels for pages. flags.csv may relabel; these are the defaults the pages fall back on.
FLAG_LABELS = {
    "pamer": "Kemungkinan pamer kemewahan",
    "bahasa": "Bahasa tidak santun",
    "pembangunan": "Pembangunan",
    "layanan": "Layanan publik",
    "kesehatan": "Kesehatan",
    "pendidikan": "Pendidikan",
    "seremonial": "Seremonial",
}

TOPIC_LABELS = {flag: FLAG_LABELS[flag] for flag in TOPICS}
REVIEW_FLAG_LABELS = {flag: FLAG_LABELS[flag] for flag in REVIEW_FLAGS}

# A reviewer's marks on a flagged post (stored code -> Indonesian label).
REVIEW_MARKS = {
    "perlu_ditindaklanjuti": "Perlu ditindaklanjuti",
    "aman": "Aman",
}
