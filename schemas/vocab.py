"""Allowed values and their accepted spellings (the normaliser maps spellings to canonical)."""

from __future__ import annotations

YES_NO: dict[str, str] = {
    **dict.fromkeys(["是", "Y", "YES", "1", "√", "✓", "有", "TRUE", "T", "对"], "Y"),
    **dict.fromkeys(["否", "N", "NO", "0", "×", "✗", "无", "FALSE", "F", "没有"], "N"),
}

# Certificate category digit (GB/T 26341): 1 视力 … 7 多重; 孤独症 is recorded for children.
CATEGORIES: dict[str, str] = {
    "1": "视力",
    "2": "听力",
    "3": "言语",
    "4": "肢体",
    "5": "智力",
    "6": "精神",
    "7": "多重",
}
CATEGORY_SPELLINGS: dict[str, str] = {
    **{k: v for k, v in CATEGORIES.items()},
    **{v: v for v in CATEGORIES.values()},
    **{v + "残疾": v for v in CATEGORIES.values()},
    "孤独症": "孤独症",
    "孤独症谱系障碍": "孤独症",
    "自闭症": "孤独症",
}
CATEGORY_VALUES = frozenset(CATEGORY_SPELLINGS.values())

LEVEL_SPELLINGS: dict[str, str] = {
    **{str(i): str(i) for i in range(1, 5)},
    **{f"{c}级": str(i) for i, c in enumerate("一二三四", start=1)},
    **{c: str(i) for i, c in enumerate("一二三四", start=1)},
    **{f"{i}级": str(i) for i in range(1, 5)},
}
LEVEL_VALUES = frozenset({"1", "2", "3", "4"})

GENDER_SPELLINGS: dict[str, str] = {
    "男": "男",
    "男性": "男",
    "M": "男",
    "MALE": "男",
    "女": "女",
    "女性": "女",
    "F": "女",
    "FEMALE": "女",
}
GENDER_VALUES = frozenset({"男", "女"})

POVERTY_SPELLINGS: dict[str, str] = {
    "建档立卡": "建档立卡",
    "建档立卡贫困户": "建档立卡",
    "建档立卡户": "建档立卡",
    "脱贫户": "建档立卡",
    "低保": "低保",
    "低保户": "低保",
    "最低生活保障": "低保",
    "特困": "特困",
    "特困供养": "特困",
    "特困人员": "特困",
    "无": "无",
    "否": "无",
    "一般": "无",
}
POVERTY_VALUES = frozenset({"建档立卡", "低保", "特困", "无"})

# Report furniture, not data: a row whose first filled cell starts with one of these, or a
# row without a key that has one of the unmistakable ones (FOOTER_ANYWHERE) in any column.
FOOTER_ANYWHERE = (
    "合计",
    "总计",
    "小计",
    "填表人",
    "填报人",
    "审核人",
    "制表人",
    "负责人",
    "单位负责人",
    "填表日期",
    "填报日期",
    "制表日期",
    "制表：",
    "制表:",
    "审核：",
    "审核:",
    "联系电话",
    "联系人：",
    "联系人:",
    "填报单位：",
    "填报单位:",
    "填表单位：",
    "填表单位:",
)
FOOTER_MARKERS = (
    *FOOTER_ANYWHERE,
    "备注",
    "注：",
    "注:",
    "说明：",
    "说明:",
    "示例",  # the example row of the Excel templates (pipelines/ingest/templates.py)
)

# Headers of a form's own furniture: not data, and not reported as unrecognised columns.
IGNORED_HEADERS = frozenset({"序号", "序", "栏次", "行次", "no", "no."})

# Separators accepted inside a list field (an institution's programmes).
LIST_SEPARATORS = r"[;；,，、/]"
