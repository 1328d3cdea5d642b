"""Amounts in Vietnamese words, as written on payout sheets: 'Một triệu tám trăm nghìn đồng'."""

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
# Groups of three digits; past "tỷ" the scale repeats: nghìn tỷ, triệu tỷ, tỷ tỷ.
_SCALES = ["", "nghìn", "triệu"]


def _triple(number: int, *, full: bool) -> list[str]:
    """Words for 0 < number < 1000; full=True when a higher group precedes ('không trăm linh năm')."""
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if ones:
            if hundreds or full:
                words.append("linh")
            words.append(_DIGITS[ones])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if ones == 1:
        words.append("mốt" if tens > 1 else "một")
    elif ones == 4:
        words.append("tư" if tens > 1 else "bốn")
    elif ones == 5:
        words.append("lăm")
    elif ones:
        words.append(_DIGITS[ones])
    return words


def _below_billion(number: int, *, full: bool) -> list[str]:
    groups = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        higher = full or index < len(groups) - 1
        words += _triple(group, full=higher)
        if _SCALES[index]:
            words.append(_SCALES[index])
    return words


def number_to_words(number: int) -> str:
    """0 -> 'không', 1_800_000 -> 'một triệu tám trăm nghìn', 2_021 -> 'hai nghìn không trăm hai mươi mốt'."""
    if number < 0:
        return "âm " + number_to_words(-number)
    if number == 0:
        return _DIGITS[0]
    # Split into blocks of nine digits joined by "tỷ".
    blocks = []
    while number:
        number, block = divmod(number, 1_000_000_000)
        blocks.append(block)
    words: list[str] = []
    for index in range(len(blocks) - 1, -1, -1):
        if blocks[index]:
            words += _below_billion(blocks[index], full=bool(words))
            words += ["tỷ"] * index
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """The line under a total: 'Một triệu tám trăm nghìn đồng.' (capitalised, with the currency)."""
    text = number_to_words(amount) + " đồng"
    return text[0].upper() + text[1:]
