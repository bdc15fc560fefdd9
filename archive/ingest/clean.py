"""Cleaning: inserted pinyin, characters lost as "?", and the page chrome around an article.

Lines are classified on their simplified form, so one set of patterns serves both scripts.
"""

import re

from .decode import COMMON_SIMPLIFIED

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{HAN}]")

# 擔(dān)任: a tone-marked syllable in brackets right after a character (or after a "?" that
# stands for a lost character). Unmarked Latin in brackets is left alone: (Ztpcs5861006@163.com).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PINYIN_RE = re.compile(rf"(?<=[{HAN}?])[(（]([a-zü{_TONED}]*[{_TONED}][a-zü{_TONED}]*)[)）]")


# 務(wù) whose character and opening bracket were both lost: "?wù)".
BROKEN_PINYIN_RE = re.compile(rf"(?<=\?)([a-zü{_TONED}]*[{_TONED}][a-zü{_TONED}]*)[)）]")


def remove_pinyin(text: str) -> tuple[str, int]:
    """Remove pinyin annotations inserted after polyphonic characters; return the text and the count."""
    text, whole = PINYIN_RE.subn("", text)
    text, broken = BROKEN_PINYIN_RE.subn("", text)
    return text, whole + broken


_MOJIBAKE_LOST_RE = re.compile("\ufffd+\\??")


def common_share(text: str) -> float:
    characters = _HAN_RE.findall(text)
    if not characters:
        return 1.0
    return sum(map(COMMON_SIMPLIFIED.__contains__, characters)) / len(characters)


def repair_mojibake(line: str, to_simplified) -> str:
    """Undo UTF-8 text that was read as GBK (发表于 shown as 鍙戣〃浜?), keeping lost bytes as "?".

    A line is tried only when few of its characters are common ones, and the repair is kept only
    when it turns the line into common characters with little lost; anything else stays as it was.
    """
    if cjk_count(line) < 3 or common_share(line) >= 0.5 or common_share(to_simplified(line)) >= 0.5:
        return line
    try:
        # U+FFFD has GB18030 bytes of its own; as "?" it stays one lost byte, like the others.
        repaired = line.replace("\ufffd", "?").encode("gb18030").decode("utf-8", errors="replace")
    except UnicodeEncodeError:
        return line
    lost = len(_MOJIBAKE_LOST_RE.findall(repaired))
    if common_share(repaired) < 0.8 or cjk_count(repaired) < lost:
        return line
    return _MOJIBAKE_LOST_RE.sub("?", repaired)


# A "?" is a real question mark only after a character or a closing quote and before the end of
# the line, a space, a closing quote or another character; everything else (runs of "?", "?" next
# to punctuation or Latin letters, a "?" alone on a line) stands for a character lost in conversion.
_QUESTION_MARK_RE = re.compile(rf"(?<=[{HAN}”’」』A-Za-z0-9])\?(?=$|[\s”’」』{HAN}])", re.MULTILINE)


def count_lost_characters(text: str) -> int:
    real_question_marks = 0
    for match in _QUESTION_MARK_RE.finditer(text):
        before = text[match.start() - 2 : match.start()]
        if "?" not in before:
            real_question_marks += 1
    return text.count("?") - real_question_marks + text.count("\ufffd")


def cjk_count(text: str) -> int:
    return len(_HAN_RE.findall(text))


# Hard chrome ends the article: site furniture that never stands inside an article's text.
_HARD_CHROME = [
    r"^(找回密码|马上注册|立即注册|QQ登录|微信登录|登录|注册|只需一步,?快速开始|\[复制链接\])$",
    r"您需要登录后才可以|^本版积分规则$|快速回复|返回顶部|返回列表|^\*?滑块验证",
    r"^查看: ?\d+ ?\| ?回复: ?\d+",
    r"QQ\|小黑屋|Archiver|^GMT\+8,|Powered by|Processed in [\d.]+ second",
    r"[Cc]opyright|[Aa]ll [Rr]ights [Rr]eserved|版权所有|版权声明|版权均属",
    r"ICP备|ICP证|公网安备|互联网新闻信息服务许可",
    r"凡注明|转载目的在于|未经.{0,12}(授权|许可).{0,12}(转载|复制|使用)",
    r"^(您当前的位置|当前位置|您的位置|所在位置)\s*:|^首页\s*[>›»]|[>›»]\s*(正文)?$",
    r"^(相关链接|相关阅读|相关新闻|相关文章|相关报道|推荐阅读|延伸阅读|热点推荐|热门推荐|热门文章|"
    r"排行|排行榜|热点排行|点击排行|全站热搜|猜你喜欢|精选专题|精选文章|精选视频|精选图片|领航新时代)\s*:?$",
    r"发表在 ?痞客邦|留言\(\d+\)|人气\(",
    r"^\(?原[标?][题?]:",
]
# Words that mark chrome only on a line without running text: an article may well mention
# a hotline or a bureau's official Weibo account in a sentence.
_HARD_CHROME_PHRASES = [
    r"举报电话|举报邮箱|举报中心|不良信息举报|一周热闻|全站热搜",
    r"微信公众平台|扫描.{0,6}二维码|官方微博|手机客户端|下载客户端",
]

# Soft chrome is dropped but does not end the article: labels, image placeholders, bylines.
_SOFT_CHROME = [
    r"^(核心提示|对话篇|亮点展现|图片新闻|导读|摘要)\s*:?$",
    r"^!\[.*\]\(.*\)",
    r"^(分享到|分享|微博|微信|客户端|close|arrow|打印|关闭|关闭窗口|收藏|字号|大|中|小)\s*:?$",
    r"^[\W\d_]*$",  # punctuation, digits, a lone "?" or "|"
    r"^\(?责任编辑|^\[?(编辑|责编|校对):|校对:.{0,10}最后修改",
    r"^\[(来源|作者|编辑):",
    r"^□|□(文|图)/",
    r"^(发布时间|发布日期|时间|日期|来源|作者|稿源|出处):",
]
_HARD_RE = re.compile("|".join(f"(?:{p})" for p in _HARD_CHROME))
_HARD_PHRASE_RE = re.compile("|".join(f"(?:{p})" for p in _HARD_CHROME_PHRASES))
_SOFT_RE = re.compile("|".join(f"(?:{p})" for p in _SOFT_CHROME))

# A short line that begins with a date and carries no sentence: "2013年11月22日  新法治报".
_DATE_LINE_RE = re.compile(r"^\d{4}\s*(年|-|/|\.)\s*\d{1,2}\s*(月|-|/|\.)\s*\d{1,2}日?(\s|$|\d)")
# A dateline that closes (or opens) a news story: (据新华社海口10月21日电), 本报台州(浙江)11月22日电.
DATELINE_RE = re.compile(r"^\(?(据|本报)?[^。,]{0,24}?\d{0,2}月\d{1,2}日(电|讯)\)?$")
LABEL_PREFIX_RE = re.compile(r"^(核心提示|编者按|导读|摘要):\s*")


def is_hard_chrome(simplified_line: str) -> bool:
    line = simplified_line.strip()
    return bool(_HARD_RE.search(line) or (_HARD_PHRASE_RE.search(line) and not is_substantial(line)))


def is_soft_chrome(simplified_line: str) -> bool:
    line = simplified_line.strip()
    if DATELINE_RE.match(line):
        return False
    return bool(_SOFT_RE.search(line)) or (bool(_DATE_LINE_RE.match(line)) and "。" not in line)


_SENTENCE_END_RE = re.compile(r"[。!?;…]|[。!?][”」』]")


def is_substantial(line: str) -> bool:
    """A line of running text: enough characters and a sentence end in it (a headline has none)."""
    return cjk_count(line) >= 15 and bool(_SENTENCE_END_RE.search(line))


def is_dateline(simplified_line: str) -> bool:
    return bool(DATELINE_RE.match(simplified_line.strip()))


def is_headline_like(line: str) -> bool:
    stripped = line.strip()
    return cjk_count(stripped) >= 4 and len(stripped) <= 80 and not stripped.endswith(("。", ","))
