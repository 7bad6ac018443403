"""Reason codes of every validation rule, with their Chinese and English messages.

A reason code is stable: tests, reports and districts' fixes refer to it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    zh: str
    en: str
    severity: str = "rejected"  # rejected: the row is quarantined; warning: reported only


REASONS: dict[str, Reason] = {
    # Row-level rules (each is a pandera check named by its code)
    "missing_required": Reason("必填项“{label}”为空", "Required field '{column}' is empty"),
    "missing_identifier": Reason(
        "身份证号和残疾人证号至少填写一项",
        "Either the ID number or the certificate number is required",
    ),
    "id_format": Reason(
        "身份证号应为18位（末位可为X）或15位旧号码",
        "ID number must have 18 characters (last may be X) or 15 digits",
    ),
    "id_checksum": Reason(
        "身份证号校验位错误（GB 11643）", "ID number fails the GB 11643 check digit"
    ),
    "id_birth_date": Reason(
        "身份证号中的出生日期不存在或不在1900年至今之间",
        "ID number carries a birth date that does not exist or is outside 1900–today",
    ),
    "id_excel_float": Reason(
        "身份证号已被Excel转为数字（科学计数法或丢失末位），无法恢复，请将该列设为文本后重新导出",
        "ID number was turned into a number by Excel (scientific notation or lost digits) and cannot "
        "be recovered; format the column as text and export again",
    ),
    "certificate_format": Reason(
        "残疾人证号应为20位：18位身份证号+残疾类别(1-7)+残疾等级(1-4)",
        "Certificate number must be 20 characters: 18-character ID number + category (1-7) + level (1-4)",
    ),
    "certificate_mismatch": Reason(
        "残疾人证号的前18位与身份证号不一致",
        "The first 18 characters of the certificate number differ from the ID number",
    ),
    "date_invalid": Reason(
        "“{label}”不是可识别的日期", "'{column}' is not a date that can be read"
    ),
    "date_out_of_range": Reason(
        "“{label}”应在1900-01-01至今天之间（不能是未来日期）",
        "'{column}' must lie between 1900-01-01 and today (no future dates)",
    ),
    "end_before_start": Reason("“{label}”早于开始日期", "'{column}' is before the start date"),
    "category_invalid": Reason(
        "残疾类别应为视力、听力、言语、肢体、智力、精神、多重或孤独症（或代码1-7）",
        "Disability category must be one of 视力/听力/言语/肢体/智力/精神/多重/孤独症 (or code 1-7)",
    ),
    "level_invalid": Reason(
        "残疾等级应为一级至四级（或1-4）", "Disability level must be 一级 to 四级 (or 1-4)"
    ),
    "gender_invalid": Reason("性别应为男或女", "Gender must be 男 (male) or 女 (female)"),
    "poverty_invalid": Reason(
        "贫困类型应为建档立卡、低保、特困或无", "Poverty status must be 建档立卡, 低保, 特困 or 无"
    ),
    "programme_unknown": Reason(
        "“{label}”不是已配置的项目（可填代码、全称或简称）",
        "'{column}' is not a configured programme (code, full or short name)",
    ),
    "yes_no_invalid": Reason(
        "“{label}”应填是/否（Y/N、1/0、√）", "'{column}' must be yes or no (是/否, Y/N, 1/0, √)"
    ),
    "district_unknown": Reason(
        "区县无法识别或不属于本辖区（{jurisdiction}）",
        "District cannot be resolved to a county-level unit of the jurisdiction ({jurisdiction})",
    ),
    "number_invalid": Reason(
        "“{label}”应为不小于0的数字", "'{column}' must be a number not below 0"
    ),
    "year_invalid": Reason(
        "年度应为2000至今之间的四位年份", "Year must be a four-digit year from 2000 to now"
    ),
    "duplicate_key": Reason(
        "同一文件中“{label}”重复且内容不同，两行均未导入",
        "'{column}' appears more than once in the file with different contents; neither row was loaded",
    ),
    "orphan_service": Reason(
        "服务记录的个案编号在已导入的个案中不存在",
        "The service's case ID does not match any loaded case",
    ),
    # Warnings (rows not lost)
    "duplicate_exact": Reason(
        "与本文件第{first_row}行完全相同，已合并为一行",
        "Exact repeat of row {first_row} in this file; collapsed into one row",
        severity="warning",
    ),
    "unknown_column": Reason(
        "无法识别的列“{column}”，未导入",
        "Unrecognised column '{column}' was not loaded",
        severity="warning",
    ),
    # Whole-file refusals
    "file_unreadable": Reason(
        "文件无法读取：{detail}", "The file cannot be read: {detail}", severity="refused"
    ),
    "no_key_column": Reason(
        "未找到可识别的表头（缺少主键列，如个案编号、服务记录编号、机构编码、人员编号）",
        "No recognisable header row (no key column such as 个案编号, 服务记录编号, 机构编码, 人员编号)",
        severity="refused",
    ),
}


def message(code: str, **values: object) -> tuple[str, str]:
    """The (Chinese, English) message for `code`, with placeholders filled in."""
    reason = REASONS[code]
    values = {"label": values.get("column", ""), **values}
    return reason.zh.format_map(_Default(values)), reason.en.format_map(_Default(values))


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return ""
