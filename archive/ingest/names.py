"""Chinese personal names: telling where one name ends and the next begins."""

import re

# The most common surnames (about 90 % of the population), simplified and traditional forms.
SURNAMES = set(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖"
    "田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒"
    "孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊"
    "葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯"
    "纪紀梅童凌毕畢单單季裴霍涂成苗谷盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤"
    "阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇戚岑景党黨宫宮费費卜冷晏席卫衛米柏"
)
COMPOUND_SURNAMES = ("欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "东方", "東方", "皇甫", "令狐", "慕容")

_SEPARATORS = re.compile(r"[\s、,;/·]+")


def _split_run(run: str) -> list[str]:
    """Split names written together ("李翔张继初") into names of two or three characters.

    Each name must start with a surname; among the ways to cut the run, prefer the one with the
    fewest names, then the most three-character names (the commoner length in bylines).
    """
    best: dict[int, tuple[int, int, list[str]] | None] = {len(run): (0, 0, [])}
    for start in range(len(run) - 1, -1, -1):
        options = []
        surname = 2 if run.startswith(COMPOUND_SURNAMES, start) else 1
        if surname == 1 and run[start] not in SURNAMES:
            best[start] = None
            continue
        for length in (surname + 1, surname + 2):
            rest = best.get(start + length)
            if start + length <= len(run) and rest is not None:
                options.append((rest[0] + 1, rest[1] - (length == 3), [run[start : start + length], *rest[2]]))
        best[start] = min(options, key=lambda option: option[:2]) if options else None
    found = best[0]
    return found[2] if found else ([run] if 2 <= len(run) <= 4 else [])


def split_names(text: str) -> list[str]:
    names = []
    for part in _SEPARATORS.split(text.strip()):
        part = re.sub(r"[^\u4e00-\u9fff\u3400-\u4dbf]", "", part)
        if part:
            names.extend(_split_run(part))
    return names


def looks_like_name(text: str) -> bool:
    return 2 <= len(text) <= 4 and (text[0] in SURNAMES or text.startswith(COMPOUND_SURNAMES))
