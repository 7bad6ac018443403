"""The data contract: datasets, their canonical columns, kinds, keys and file-name prefixes.

A column's *kind* says how the normaliser treats it and which checks apply:
  text, date, yes_no, int, number, id_number, certificate_no, name, district,
  district_code, category, level, gender, programme, poverty, list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    label_zh: str = ""  # header written into templates and demo files


@dataclass(frozen=True)
class Dataset:
    name: str
    label_zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    prefixes: tuple[str, ...]  # file-name prefixes that identify the dataset

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def of_kind(self, *kinds: str) -> list[str]:
        return [c.name for c in self.columns if c.kind in kinds]


CASES = Dataset(
    name="cases",
    label_zh="个案登记",
    key=("case_id",),
    prefixes=("cases", "case", "个案", "登记"),
    columns=(
        Column("case_id", "text", True, "个案编号"),
        Column("programme", "programme", True, "项目名称"),
        Column("id_number", "id_number", False, "身份证号"),
        Column("certificate_no", "certificate_no", False, "残疾人证号"),
        Column("name", "name", False, "姓名"),
        Column("gender", "gender", False, "性别"),
        Column("birth_date", "date", False, "出生日期"),
        Column("disability_category", "category", False, "残疾类别"),
        Column("disability_level", "level", False, "残疾等级"),
        Column("certified", "yes_no", False, "是否持证"),
        Column("district_code", "district_code", False, "区县代码"),
        Column("district", "district", False, "所属区县"),
        Column("township", "text", False, "乡镇街道"),
        Column("registration_date", "date", True, "登记日期"),
        Column("need_assessed", "yes_no", False, "是否有康复需求"),
        Column("assessment_date", "date", False, "评估日期"),
        Column("application_date", "date", False, "申请日期"),
        Column("review_date", "date", False, "审核日期"),
        Column("referral_date", "date", False, "转介日期"),
        Column("referral_source", "text", False, "转介来源"),
        Column("poverty_status", "poverty", False, "贫困类型"),
        Column("medical_insurance", "yes_no", False, "是否参加基本医疗保险"),
        Column("family_doctor_signed", "yes_no", False, "是否家庭医生签约"),
        Column("income_assessment_date", "date", False, "家庭收入核定日期"),
        Column("exit_date", "date", False, "退出日期"),
        Column("exit_reason", "text", False, "退出原因"),
    ),
)

SERVICES = Dataset(
    name="services",
    label_zh="服务记录",
    key=("service_id",),
    prefixes=("services", "service", "服务"),
    columns=(
        Column("service_id", "text", True, "服务记录编号"),
        Column("case_id", "text", True, "个案编号"),
        Column("institution_id", "text", False, "服务机构编码"),
        Column("service_type", "text", False, "服务项目"),
        Column("start_date", "date", True, "服务开始日期"),
        Column("end_date", "date", False, "服务结束日期"),
        Column("standardized", "yes_no", False, "是否规范服务"),
        Column("months", "number", False, "训练月数"),
        Column("amount", "number", False, "补助金额（元）"),
        Column("settled_date", "date", False, "结算日期"),
    ),
)

INSTITUTIONS = Dataset(
    name="institutions",
    label_zh="定点机构",
    key=("institution_id",),
    prefixes=("institutions", "institution", "机构", "定点机构"),
    columns=(
        Column("institution_id", "text", True, "机构编码"),
        Column("name", "text", False, "机构名称"),
        Column("district_code", "district_code", False, "区县代码"),
        Column("district", "district", False, "所属区县"),
        Column("kind", "text", False, "机构类型"),
        Column("programmes", "list", False, "承担项目"),
        Column("designated_from", "date", False, "定点开始日期"),
        Column("designated_to", "date", False, "定点结束日期"),
        Column("capacity", "int", False, "服务能力（人）"),
    ),
)

STAFF = Dataset(
    name="staff",
    label_zh="服务人员",
    # Training hours are reported per year, so a person has one row per year.
    key=("staff_id", "year"),
    prefixes=("staff", "人员", "工作人员"),
    columns=(
        Column("staff_id", "text", True, "人员编号"),
        Column("institution_id", "text", False, "机构编码"),
        Column("name", "name", False, "姓名"),
        Column("professional_degree", "yes_no", False, "是否具有相关专业学历"),
        Column("direct_service", "yes_no", False, "是否直接服务人员"),
        Column("training_hours", "number", False, "年度培训学时"),
        Column("year", "int", True, "年度"),
    ),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (INSTITUTIONS, CASES, STAFF, SERVICES)}
# Services are applied last so that orphans are judged against the run's cases.
LOAD_ORDER = ("institutions", "cases", "staff", "services")
