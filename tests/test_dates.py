"""Estimated dates: the year (and month) a text implies where it states none, or no estimate at all."""

from archive.ingest.dates import estimate_date
from archive.ingest.script import matching_form


def estimate(*paragraphs: str):
    return estimate_date(list(paragraphs), [matching_form(paragraph) for paragraph in paragraphs])


def test_a_period_counted_from_a_stated_month_and_a_dateline_give_year_and_month():
    found = estimate("2011年6月,浙江第一個網上公安局落戶台州。兩年多來,網上公安局瀏覽量突破百萬。",
                     "本報台州(浙江)11月22日電")
    assert (found.year, found.month) == (2013, 11)
    assert found.reasoning == "dateline 11月22日; 2011年6月 + 兩年多來 → 2013"
    assert "2011年6月,浙江第一個網上公安局落戶台州。" in found.evidence.splitlines()


def test_more_than_two_years_from_june_ends_in_the_year_after_when_the_dateline_is_in_may():
    found = estimate("2011年6月,网上公安局落户台州。两年多来,办事量破万。", "本报台州5月22日电")
    assert found.year == 2014  # 2013年5月 would be less than two years on


def test_two_counted_periods_that_agree_give_the_year():
    found = estimate("2009年初,湖州推出警务广场。5年多来,群众满意度逐年上升。",
                     "2010年,全市推行民意导向警务。近4年来,警民恳谈会开了上千场。")
    assert (found.year, found.month) == (2014, None)
    assert "2009年初 + 5年多来 → 2014" in found.reasoning


def test_counted_periods_that_end_in_different_years_give_no_estimate():
    assert estimate("2005年,派出所成立调解室。两年多来调处纠纷百起。",
                    "2010年,推行路长制。三年多来,交通秩序好转。") is None


def test_one_period_written_in_digits_alone_gives_no_estimate():
    assert estimate("2009年,推行警务广场。近9年来,群众满意度上升。", "(记者 王明 10月9日电)") is None


def test_chinese_numerals_are_read_as_years():
    found = estimate("二〇一一年六月,网上公安局落户台州。两年多来,浏览量突破百万。", "本报台州11月22日电")
    assert found.year == 2013


def test_the_present_the_text_speaks_from_gives_the_year():
    found = estimate("截至2013年10月,全市共建成警务室120个。")
    assert (found.year, found.reasoning) == (2013, "截至2013年10月 → 2013")


def test_two_months_of_the_year_before_told_as_past_after_the_datelines_month_give_the_next_year():
    found = estimate("2017年11月,开始试点路长制。2017年12月,组建一支由450名警力组成的飞鹭支队。",
                     "(据新华社10月21日电)")
    assert (found.year, found.month) == (2018, 10)


def test_the_latest_year_stated_alone_is_no_date():
    assert estimate("2012年,时任万宁市公安局局长的他开展护瓜行动。", "(据新华社10月21日电)") is None
    assert estimate("2017年12月,组建飞鹭支队。", "(据新华社10月21日电)") is None


def test_a_month_no_calendar_has_makes_the_text_untrusted():
    assert estimate("2020年58月,全市推行路长制。截至2021年3月,共建成警务室20个。") is None


def test_a_period_that_ends_before_an_event_told_as_past_gives_no_estimate():
    assert estimate("2009年6月,网上公安局落户台州。两年多来,办事量破万。2014年,又推出手机客户端。",
                    "本报台州11月22日电") is None


def test_a_month_of_this_year_told_as_past_after_the_datelines_month_gives_no_estimate():
    assert estimate("2011年6月,网上公安局落户台州。两年多来,办事量破万。今年8月,又推出手机客户端。",
                    "本报台州6月22日电") is None


def test_plans_and_targets_are_not_dates():
    assert estimate("计划到2020年底前,建成智慧警务室100个。") is None


def test_a_text_without_dates_gives_no_estimate():
    assert estimate("民警走村入户,倾听群众心声。") is None
