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
        "“{label}”已被Excel转为数字（科学计数法或丢失末位），无法恢复，请将该列设为文本后重新导出",
        "'{column}' was turned into a number by Excel (scientific notation or lost digits) and "
        "cannot be recovered; format the column as text and export again",
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
        "Disability category must be one of '视力/听力/言语/肢体/智力/精神/多重/孤独症' (or code 1-7)",
    ),
    "level_invalid": Reason(
        "残疾等级应为一级至四级（或1-4）", "Disability level must be '一级' to '四级' (or 1-4)"
    ),
    "gender_invalid": Reason("性别应为男或女", "Gender must be '男' (male) or '女' (female)"),
    "poverty_invalid": Reason(
        "贫困类型应为建档立卡、低保、特困或无",
        "Poverty status must be '建档立卡', '低保', '特困' or '无'",
    ),
    "programme_unknown": Reason(
        "“{label}”不是已配置的项目（可填代码、全称或简称）",
        "'{column}' is not a configured programme (code, full or short name)",
    ),
    "yes_no_invalid": Reason(
        "“{label}”应填是/否（Y/N、1/0、√）", "'{column}' must be yes or no ('是/否', Y/N, 1/0, √)"
    ),
    "district_ambiguous": Reason(
        "区县“{value}”有多种可能（{candidates}），无法确定；请填写区县全称或6位区县代码",
        "District '{value}' could mean several areas ({candidates}); write the full county name "
        "or its 6-digit code",
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
        "与本文件{first_sheet}第{first_row}行完全相同，已合并为一行",
        "Exact repeat of row {first_row}{first_sheet_en} in this file; collapsed into one row",
        severity="warning",
    ),
    "sheet_not_data": Reason(
        "工作表“{sheet}”未找到数据表头（如填表说明、目录），已跳过",
        "Sheet '{sheet}' has no data header (instructions, contents …); skipped",
        severity="warning",
    ),
    "sheet_empty": Reason(
        "工作表“{sheet}”为空，已跳过", "Sheet '{sheet}' is empty; skipped", severity="warning"
    ),
    "merged_cells": Reason(
        "{count}个值来自纵向合并的单元格，已计入其跨越的每一行",
        "{count} values came from cells merged down over several rows; each row they span got "
        "the value",
        severity="warning",
    ),
    "office_lock_file": Reason(
        "Office/WPS打开文件时生成的临时锁定文件（~$开头），不是数据，已跳过",
        "A lock file Office/WPS keeps while a workbook is open (name starts with ~$); not data, "
        "skipped",
        severity="warning",
    ),
    # Files loaded over rows of other files (pipelines/ingest/newer.py)
    "replaced_newer_loaded_later": Reason(
        "注意：本文件覆盖了由较新文件“{newer}”写入的{rows}行（该文件在本文件的早先版本之后才导入，"
        "第{newer_run}次运行）。按规则后导入的文件生效；如“{newer}”才是正确的，请由管理员重新导入它",
        "Warning: this file replaced {rows} rows last written by the newer file '{newer}' (loaded "
        "after this file's earlier copy, in run {newer_run}). The file loaded last counts; if "
        "'{newer}' is the right one, an administrator re-applies it",
        severity="warning",
    ),
    "replaced_newer_name_order": Reason(
        "注意：本文件覆盖了由较新文件“{newer}”写入的{rows}行（按文件名排序该文件在本文件之后，"
        "第{newer_run}次运行导入）。按规则后导入的文件生效；如“{newer}”才是正确的，请由管理员重新导入它",
        "Warning: this file replaced {rows} rows last written by the newer file '{newer}' (its "
        "name sorts after this file's; loaded in run {newer_run}). The file loaded last counts; "
        "if '{newer}' is the right one, an administrator re-applies it",
        severity="warning",
    ),
    "reapplied": Reason(
        "管理员重新导入：内容相同的文件此前已导入，本次按要求再次应用",
        "Re-applied by an administrator: identical content was loaded before and is applied again",
        severity="warning",
    ),
    "reapplied_replaced": Reason(
        "重新导入的文件替换了由“{newer}”写入的{rows}行（第{newer_run}次运行导入）",
        "The re-applied file replaced {rows} rows last written by '{newer}' (loaded in run "
        "{newer_run})",
        severity="warning",
    ),
    "already_loaded": Reason(
        "内容相同的文件已导入过，跳过。如需再次应用（例如恢复被旧文件覆盖的更正），管理员可在数据页勾选"
        "“重新导入”后上传，或运行 rehab-monitor pipeline reapply 文件",
        "Identical file already loaded; skipped. To apply it again (e.g. to restore a correction "
        "an older file overwrote), an administrator uploads it on the data page with 're-apply' "
        "ticked, or runs rehab-monitor pipeline reapply FILE",
        severity="warning",
    ),
    "unknown_column": Reason(
        "无法识别的列“{column}”，未导入",
        "Unrecognised column '{column}' was not loaded",
        severity="warning",
    ),
    # Whole-file refusals
    "file_unreadable": Reason(
        "文件无法读取：文件已损坏、不完整，或内容与扩展名（{detail}）不符；请用Excel/WPS打开确认后"
        "另存为 .xlsx 重新报送",
        "The file cannot be read: it is damaged, incomplete or not what its extension ({detail}) "
        "says; open it in Excel/WPS, save it as .xlsx and send it again",
        severity="refused",
    ),
    "file_too_large": Reason(
        "文件内容过大或异常（{detail}），未读取；请拆分为多个文件或另存为 CSV 后重新报送",
        "The file's content is too large or abnormal ({detail}) and was not read; split it or "
        "save it as CSV and send it again",
        severity="refused",
    ),
    "file_line_too_long": Reason(
        "第{detail}行超过256 KB，不是表格的一行，文件未读取；请用Excel/WPS打开确认后另存为 .xlsx "
        "重新报送",
        "Line {detail} is over 256 KB, which no table row is; the file was not read; open it in "
        "Excel/WPS, save it as .xlsx and send it again",
        severity="refused",
    ),
    "file_too_many_columns": Reason(
        "表头附近有一行超过{detail}列（电子表格最多的列数），文件未读取；请删除多余的列后重新报送",
        "A row near the header has more than {detail} columns (the most a spreadsheet has); the "
        "file was not read; delete the extra columns and send it again",
        severity="refused",
    ),
    "file_blank_lines": Reason(
        "文件约第{detail}行起有大量空行，文件未读取；请删除表格中和表格下方的空行后重新报送",
        "From about line {detail} the file holds a great many empty lines and was not read; delete the "
        "empty lines in and below the table and send it again",
        severity="refused",
    ),
    "file_type_unsupported": Reason(
        "不支持的文件类型（{detail}）；请另存为 .xlsx、.xls 或 CSV 后重新报送",
        "Unsupported file type ({detail}); save it as .xlsx, .xls or CSV and send it again",
        severity="refused",
    ),
    "file_wps_et": Reason(
        "WPS表格文件（.et）无法读取；请在WPS中“另存为” .xlsx 后重新报送",
        "The WPS spreadsheet (.et) cannot be read; in WPS choose 'Save as' .xlsx and send it again",
        severity="refused",
    ),
    "file_encoding": Reason(
        "文件编码无法识别（应为UTF-8、GB18030或Unicode文本）；请在Excel/WPS中另存为“CSV UTF-8”"
        "或 .xlsx 后重新报送",
        "The file's text encoding is not UTF-8, GB18030 or Unicode text; save it as 'CSV UTF-8' or "
        ".xlsx and send it again",
        severity="refused",
    ),
    "file_encrypted": Reason(
        "文件设有打开密码，无法读取；请取消密码后重新报送",
        "The file is password-protected; remove the password and send it again",
        severity="refused",
    ),
    "file_empty": Reason("文件为空（0字节）", "The file is empty (0 bytes)", severity="refused"),
    "no_data_rows": Reason(
        "表头下没有数据行，未导入；如确无数据可忽略，否则请补充后重新报送",
        "No data rows below the header; nothing was loaded (send it again with the rows)",
        severity="refused",
    ),
    "rows_unaccounted": Reason(
        "程序内部错误：读取行数与导入、拒收行数不符，文件未导入；请联系管理员",
        "Internal error: rows read do not add up to rows loaded and rejected; the file was not "
        "loaded; contact the administrator",
        severity="refused",
    ),
    "no_key_column": Reason(
        "未找到可识别的表头（缺少主键列，如个案编号、服务记录编号、机构编码、人员编号）{detail}",
        "No recognisable header row (no key column such as '个案编号', '服务记录编号', '机构编码', '人员编号')"
        "{detail}",
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
