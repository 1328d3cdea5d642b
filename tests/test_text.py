from registry.text import fold, person_sort_key


def test_fold_strips_tones_marks_and_d_bar():
    assert fold("Nguyễn Văn Hưởng") == "nguyen van huong"
    assert fold("  ĐẶNG   Thị  Đào ") == "dang thi dao"
    assert fold(None) == ""


def test_person_order_is_given_name_then_full_name_then_tones():
    # Written in the order the rule gives: An < Anh (shorter first), Ă after A, Â after Ă,
    # D before Đ; for the same letters the tones run none, huyền, hỏi, ngã, sắc, nặng.
    expected = [
        "Đỗ Văn An",
        "Lê Anh",
        "Vũ Thị Ăn",
        "Phạm Ân",
        "Ngô An Bình",
        "Bùi Dũng",
        "Hồ Đức",
        "Lê Ha",
        "Lê Hà",
        "Trần Thị Hà",
        "Lê Hả",
        "Lê Hã",
        "Lê Há",
        "Lê Hạ",
        "Nguyễn Văn Hưởng",
        "Lý Ý",
    ]
    assert sorted(reversed(expected), key=person_sort_key) == expected
