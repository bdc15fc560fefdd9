"""Chinese personal names in bylines: where one name ends and the next begins."""

import pytest

from archive.ingest.names import looks_like_name, split_names


@pytest.mark.parametrize(
    "run, names",
    [
        ("李翔张继初", ["李翔", "张继初"]),
        ("杨帆郑国华", ["杨帆", "郑国华"]),
        ("刘晓燕周建", ["刘晓燕", "周建"]),
        ("楊帆鄭國華", ["楊帆", "鄭國華"]),
        ("陈立新", ["陈立新"]),
    ],
)
def test_split_names_cuts_names_written_together(run, names):
    assert split_names(run) == names


def test_split_names_prefers_the_fewest_names():
    assert split_names("王建林周何平") == ["王建林", "周何平"]  # not 王建 林周 何平


def test_split_names_splits_at_separators():
    assert split_names("张海洋 李翔、王丽/赵静,孙伟") == ["张海洋", "李翔", "王丽", "赵静", "孙伟"]


def test_split_names_knows_compound_surnames():
    assert split_names("欧阳晓明诸葛亮") == ["欧阳晓明", "诸葛亮"]


def test_split_names_drops_characters_that_are_not_han():
    assert split_names("王建军.") == ["王建军"]


def test_split_names_keeps_a_short_run_without_a_surname_whole():
    assert split_names("阿依古丽") == ["阿依古丽"]


def test_split_names_drops_a_long_run_it_cannot_cut():
    assert split_names("总编室最后修改") == []


@pytest.mark.parametrize("text", ["陈海峰", "符明", "欧阳晓明", "鄭國華"])
def test_looks_like_name(text):
    assert looks_like_name(text)


@pytest.mark.parametrize("text", ["陈", "陈海峰说了", "群众", "警务"])
def test_does_not_look_like_name(text):
    assert not looks_like_name(text)
