"""Everything the bot says, in Bahasa Indonesia. Texts only; no logic beyond filling them in."""

from __future__ import annotations

from collections.abc import Iterable

# Button and row titles (at most 20 characters).
AGREE, DISAGREE = "Setuju", "Tidak Setuju"
YES, NO = "Ya", "Tidak"
CONTINUE, OTHER_LETTER = "Lanjut", "Pilih surat lain"
SEND, CHANGE, CANCEL = "Kirim", "Ubah data", "Batalkan"
RESUME, START_OVER = "Lanjutkan", "Mulai baru"
SKIP, KEEP = "Lewati", "Tetap (tidak diubah)"
ADD, DONE = "Tambah", "Selesai"
NEXT_PAGE, PREV_PAGE = "Berikutnya »", "« Sebelumnya"
CANCEL_YES, CANCEL_NO = "Ya, batalkan", "Tidak, lanjutkan"
TO_SUMMARY = "Kembali ke ringkasan"

COMMANDS_HINT = (
    "Perintah: ketik *batal*, *kembali*, *bantuan* atau *status* kapan saja; *data saya* untuk melihat "
    "data Anda yang kami simpan, *hapus data saya* untuk menghapusnya."
)

CONSENT = (
    "Selamat datang di layanan e-Surat Kelurahan se-Kota Palangka Raya.\n\n"
    "Untuk membuat surat, kami perlu memproses data pribadi Anda (nama, NIK, alamat, dan dokumen "
    "seperti KTP/KK). Sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, data tersebut "
    "hanya dipakai untuk memproses permohonan surat Anda oleh petugas kelurahan, disimpan dengan aman, "
    "dan tidak dibagikan kepada pihak lain. Data diri Anda juga disimpan agar tidak perlu diisi ulang "
    "pada permohonan berikutnya. Kapan saja Anda dapat melihat data yang kami simpan (ketik *data saya*) "
    "dan menghapusnya (ketik *hapus data saya*).\n\nApakah Anda menyetujui pemrosesan data pribadi tersebut?"
)
CONSENT_REFUSED = (
    "Terima kasih. Tanpa persetujuan Anda, kami tidak dapat memproses permohonan secara daring, "
    "dan tidak ada data Anda yang kami simpan. Anda tetap dapat datang langsung ke kantor kelurahan. "
    "Ketik /start bila ingin memulai lagi."
)
OFFICE_HOURS = "Senin-Jumat, pukul 08.00-15.00 WIB (kecuali hari libur)"
WELCOME_BACK = "Selamat datang kembali di layanan e-Surat Kelurahan Kota Palangka Raya."
ASK_KECAMATAN = "Di kecamatan mana Anda tinggal? Pilih kecamatan, atau ketik langsung nama kelurahan Anda."
NOT_A_PLACE = "Maaf, nama kecamatan atau kelurahan itu tidak kami kenali."
NOT_UNDERSTOOD = "Maaf, jawaban tidak dikenali. Ketik nomor pilihan atau pilih salah satu tombol."
CHECKING_DOCUMENT = ("Berkas diterima. Kami periksa keaslian surat e-Surat pada berkas ini (dari kode QR-nya); "
                     "hasilnya segera kami kirim.")
NOT_A_FILE_STEP = "Maaf, saat ini kami belum memerlukan berkas. Mohon jawab pertanyaan berikut."
FILE_ATTACHED = (
    "Berkas sebelumnya sudah terlampir: kirim foto baru atau ketik *lanjut* untuk memakai berkas sebelumnya."
)
KEEP_FILE = "Pakai berkas lama"
PICK_ONE = "Silakan pilih:"
SEND_FILE = "Silakan kirim berkasnya."
FIRST_STEP = "Ini sudah langkah pertama."
NOTHING_TO_CANCEL = "Tidak ada permohonan yang sedang berjalan."
CONFIRM_CANCEL = "Apakah Anda yakin ingin membatalkan permohonan ini? Data yang sudah diisi akan dihapus."
CANCELLED = "Permohonan dibatalkan. Ketik /start bila ingin mengajukan surat lagi."
ASK_PROFILE_HEAD = "Kami menyimpan data diri Anda dari permohonan sebelumnya:"
ASK_PROFILE_TAIL = "Gunakan data tersimpan?"
REVIEW = "Periksa kembali data di atas. Apakah sudah benar?"
PICK_FIX = "Data mana yang ingin diubah?"
NOT_A_FIELD = "Maaf, data itu tidak kami temukan."
MIN_ITEMS = "Mohon isi paling sedikit {n} {label}."
SKIP_HINT = "(Boleh dilewati: ketik - atau pilih Lewati.)"
LETTER_GONE = "Maaf, jenis surat atau kelurahan pada permohonan Anda tidak lagi tersedia. Silakan mulai lagi."
QUEUED_REVISION = "Ada permintaan perbaikan lain dari petugas; akan kami tampilkan setelah langkah ini selesai."
IN_REVISION = "Anda sedang memperbaiki permohonan {n}. Ketik batal bila ingin membatalkannya."
DELETED = "Data dihapus."
MAX_ITEMS = "Paling banyak {n} {label}."
BAD_REVISION = "Maaf, permintaan perbaikan tidak dapat dibuka. Silakan hubungi kantor kelurahan."

HELP = {
    "idle": "Layanan ini membantu Anda mengajukan surat keterangan kelurahan secara daring.",
    "consent": "Kami perlu persetujuan Anda sebelum memproses data pribadi. Pilih Setuju atau Tidak Setuju.",
    "kecamatan": "Pilih kecamatan tempat tinggal Anda (sesuai alamat), atau ketik nama kelurahan.",
    "kelurahan": "Pilih kelurahan tempat tinggal Anda. Surat akan diterbitkan oleh kelurahan ini.",
    "letter": "Pilih jenis surat yang Anda perlukan. Persyaratannya akan ditampilkan dulu.",
    "requirements": "Siapkan persyaratan di atas, lalu pilih Lanjut untuk mengisi data.",
    "profile": "Pilih Ya agar data diri yang tersimpan dipakai lagi, atau Tidak untuk mengisi ulang.",
    "fill": "Jawab pertanyaan berikut. Foto dokumen dikirim sebagai foto atau berkas (JPG, PNG, PDF).",
    "summary": "Periksa ringkasan. Pilih Kirim bila sudah benar, atau ketik misalnya \"ubah alamat\".",
    "fix_pick": "Pilih data yang ingin diubah; setelah itu ringkasan ditampilkan lagi.",
    "confirm_cancel": "Pilih \"Ya, batalkan\" untuk membatalkan, atau \"Tidak, lanjutkan\".",
    "resume": "Pilih Lanjutkan untuk meneruskan permohonan yang tersimpan, atau Mulai baru.",
    "confirm_erase": "Ketik YA untuk menghapus data Anda, atau Tidak untuk membatalkan penghapusan.",
    "visit_day": "Pilih hari kunjungan ke kantor kelurahan. Setelah itu pilih jamnya.",
    "visit_slot": "Pilih jam kunjungan. Yang tampil masih ada tempat.",
    "visit_cancel": "Pilih kunjungan yang ingin dibatalkan, atau Tidak jadi.",
    "survey": "Pilih nilai 1 (tidak baik) sampai 4 (sangat baik), atau Lewati untuk melewati survei.",
}

# Personal data (UU No. 27 Tahun 2022): "data saya" and "hapus data saya".
ERASE_YES, ERASE_NO = "Ya, hapus", "Tidak"
CONFIRM_ERASE = (
    "Anda akan menghapus data Anda dari layanan e-Surat:\n"
    "- data diri yang tersimpan (nama, NIK, alamat, nomor KK dan HP, dan lainnya),\n"
    "- permohonan yang sedang diisi dan belum dikirim,\n"
    "- foto/berkas yang Anda kirim untuk permohonan yang sudah selesai (terbit, ditolak atau dibatalkan),\n"
    "- riwayat pesan percakapan ini di server kami.\n\n"
    "Surat yang sudah terbit beserta nomornya tetap disimpan dalam arsip kelurahan sebagaimana diwajibkan. "
    "Permohonan yang masih diproses petugas tidak dapat dihapus sampai selesai.\n\n"
    "Ketik YA untuk menghapus."
)
NOT_ERASED = "Baik, data Anda tidak dihapus."
ERASE_IN_REVISION = (
    "Anda sedang memperbaiki permohonan {n}. Data permohonan yang masih diproses tidak dapat dihapus: "
    "selesaikan perbaikannya (atau ketik batal untuk membatalkan permohonan itu), lalu ketik *hapus data saya* lagi."
)
STORED_HEAD = "*Data Anda yang kami simpan*"
STORED_NONE = "Kami tidak menyimpan data diri Anda."
STORED_PROFILE = "Data diri (dipakai lagi agar tidak perlu diisi ulang; NIK dan nomor KK ditampilkan sebagian):"
STORED_REQUESTS = "Permohonan Anda:"
STORED_NO_REQUESTS = "Anda belum memiliki permohonan."
STORED_WHERE = (
    "Data ini disimpan di server layanan e-Surat Pemerintah Kota Palangka Raya dan hanya dibuka oleh petugas "
    "kelurahan yang memproses permohonan Anda. Data diri disimpan sampai Anda menghapusnya; foto/berkas "
    "yang Anda kirim dihapus otomatis {days} hari setelah permohonannya selesai; surat yang terbit beserta "
    "nomornya disimpan dalam arsip kelurahan."
)
STORED_TAIL = "Ketik *hapus data saya* untuk menghapus data Anda."
ERASED_HEAD = "Data Anda telah dihapus:"
ERASED_KEPT_LETTERS = (
    "Surat yang sudah terbit tetap disimpan dalam arsip kelurahan sebagaimana diwajibkan (surat dan nomornya "
    "tidak dapat dihapus): {numbers}."
)
ERASED_KEPT_ACTIVE = (
    "Permohonan yang masih diproses belum dapat dihapus: {codes}. Petugas tetap memprosesnya; setelah "
    "selesai, ketik *hapus data saya* lagi untuk menghapus foto/berkasnya."
)
ERASED_TAIL = (
    "Untuk mengajukan surat lagi, ketik /start (kami akan meminta persetujuan Anda kembali). Pesan yang sudah "
    "ada di aplikasi chat Anda dapat Anda hapus sendiri."
)


def not_clear(yes: str, no: str) -> str:
    """Asked again after an unclear answer to a yes/no question."""
    return f"Maaf, jawaban Anda belum jelas. Ketik *{yes}* atau *{no}*, atau pilih salah satu tombol."


def which_one(labels: list[str]) -> str:
    """Asked when an answer fits several options about equally ("cerai")."""
    listed = ", ".join(labels[:-1]) + f" atau {labels[-1]}" if len(labels) > 1 else "".join(labels)
    return f"Maksud Anda yang mana: {listed}? Ketik atau pilih salah satu."


def megabytes(n_bytes: int) -> str:
    """A size in megabytes as written in Indonesian: "10", "1,5"."""
    return f"{n_bytes / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")


def file_expected(max_bytes: int) -> str:
    return f"Mohon kirim foto atau dokumen (JPG, PNG, atau PDF, paling besar {megabytes(max_bytes)} MB)."


def file_hint(max_bytes: int) -> str:
    return f"(Kirim sebagai foto atau dokumen JPG, PNG, atau PDF; paling besar {megabytes(max_bytes)} MB.)"


def same_kelurahan(name: str) -> str:
    return f"Kelurahan {name} (seperti sebelumnya)"


def ask_kecamatan_or(kelurahan: str) -> str:
    return (f"Mengajukan lagi ke Kelurahan {kelurahan}? Pilih pilihan pertama, atau pilih kecamatan lain "
            "(atau ketik nama kelurahan).")


def ask_kelurahan(kecamatan: str) -> str:
    return f"Pilih kelurahan di Kecamatan {kecamatan}:"


def ask_letter(kelurahan: str) -> str:
    return f"Surat apa yang Anda perlukan dari Kelurahan {kelurahan}?"


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def requirements(title: str, description: str, items: list[str], sla_days: int, cost: str) -> str:
    return (
        f"*{title}*\n{description}\n\nPersyaratan:\n{bullets(items)}\n\n"
        f"Waktu penyelesaian: {sla_days} hari kerja. Biaya: {cost}.\n\n"
        "Lanjutkan pengisian permohonan?"
    )


def visit(title: str, kelurahan: str, note: str, items: list[str], address: str = "", phone: str = "") -> str:
    office = [f"*Kantor Kelurahan {kelurahan}*"]
    office += [f"Alamat: {address}"] if address else []
    office += [f"Telepon: {phone}"] if phone else []
    office.append(f"Jam layanan: {OFFICE_HOURS}")
    return (
        f"*{title}* tidak dapat diajukan secara daring dan memerlukan kunjungan ke Kantor Kelurahan "
        f"{kelurahan}.\n\n{note}\n\nPersyaratan yang perlu dibawa:\n{bullets(items)}\n\n" + "\n".join(office)
        + "\n\nLangkah berikutnya: lengkapi persyaratan di atas, lalu datang ke kantor kelurahan pada jam layanan "
        "dengan membawa dokumen asli beserta fotokopinya. Petugas akan memeriksa berkas dan menjelaskan proses "
        "selanjutnya.\n\nKetik /start bila ingin mengajukan surat lain."
    )


def resume(title: str | None) -> str:
    what = f"permohonan {title}" if title else "permohonan"
    return f"Anda memiliki {what} yang belum selesai. Lanjutkan permohonan sebelumnya?"


def previous_answer(value: str) -> str:
    return f"Jawaban tersimpan: {value}. Ketik jawaban baru, atau pilih Tetap."


def item_heading(label: str, number: int) -> str:
    return f"{label} ke-{number}"


def ask_more(label: str, count: int, prompt_more: str) -> str:
    return f"Apakah ada {label.lower()} yang perlu dicantumkan?" if count == 0 else prompt_more


def edit_group(label: str, rows: list[str]) -> str:
    listed = "\n".join(rows) if rows else "(belum ada)"
    return f"{label} saat ini:\n{listed}\n\nHapus salah satu, tambah, atau pilih Selesai."


def summary_heading(title: str, kelurahan: str, kecamatan: str) -> str:
    return f"*Ringkasan permohonan {title}*\nKelurahan {kelurahan}, Kecamatan {kecamatan}"


def request_name(code: str | None, request_id: int | None) -> str:
    """How a request is named to the resident: its code (BT-2026-000017); "nomor 17" only for a
    correction stored before requests carried their code."""
    return code or f"nomor {request_id}"


def revision_intro(name: str, note: str, labels: list[str]) -> str:
    text = f"Petugas kelurahan meminta perbaikan permohonan {name}."
    if note.strip():
        text += f"\nCatatan petugas: {note.strip()[:500]}"
    if labels:
        text += f"\nMohon perbaiki: {', '.join(labels)}. Data dan berkas lain tetap seperti sebelumnya."
    else:
        text += "\nPilih data yang perlu diperbaiki; data dan berkas lain tetap seperti sebelumnya."
    return text


def submitted(code: str) -> str:
    """What the runner tells the resident once a request is filed under `code`."""
    return (
        f"Terima kasih, permohonan Anda telah kami terima dengan nomor *{code}*. Petugas kelurahan akan "
        "memeriksanya dan mengabari Anda melalui percakapan ini. Ketik *status* untuk melihat perkembangannya."
    )
