"""The one synthetic data generator: demo, tests, docs and benchmarks use it.

`write_demo` writes an inbox as districts would send it: per-district case and service files
with Chinese headers that vary between districts, CSV in UTF-8, UTF-8 with BOM and GB18030,
Excel workbooks with title rows, footer rows and an instructions sheet, mixed spellings of
dates, yes/no values, districts and programmes — and 1–2% realistically bad rows of every
kind the loader rejects. Everything is vectorised (numpy/polars) so the province scale
(over a million case rows) is written in about a minute.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from pipelines.indicators.reference import Reference
from pipelines.indicators.regions import (
    DistrictResolver,
    Jurisdiction,
    Unit,
    jurisdiction,
    short_form,
)
from schemas.idnumbers import check_char_expr, check_digit

SCALES = {"small": 5_000, "city": 100_000, "province": 1_000_000, "national": 10_000_000}
BAD_SHARE = 0.015

# The programmes are the shipped reference's; the demo adds each one's share of registered
# persons, how districts write its name, its service types and institution kind.
PROGRAMMES = tuple(Reference.shipped().programmes)
PROGRAMME_SHARE = (0.36, 0.30, 0.08, 0.16, 0.10)
PROGRAMME_SPELLINGS = {
    "mental_rehab": ("精康融合", "精康融合行动", "mental_rehab"),
    "precise_rehab": ("精准康复", "残疾人精准康复服务行动", "precise_rehab"),
    "child_rehab": ("儿童康复救助", "残疾儿童康复救助", "child_rehab"),
    "poverty_rehab": ("建档立卡贫困残疾人康复", "贫困残疾人康复", "poverty_rehab"),
    "disabled_care": ("失能困难群众社会化组织化养护", "集中养护", "disabled_care"),
}
SERVICE_TYPES = {
    "mental_rehab": ("服药训练", "生活技能训练", "社交技能训练", "职业能力训练", "居家康复指导"),
    "precise_rehab": ("康复训练", "辅助器具适配", "居家康复指导", "康复医疗"),
    "child_rehab": ("康复训练", "辅助器具适配", "人工耳蜗植入", "矫治手术"),
    "poverty_rehab": ("康复训练", "辅助器具适配", "居家康复指导"),
    "disabled_care": ("集中养护",),
}
INSTITUTION_KINDS = {
    "mental_rehab": "精神障碍社区康复服务机构",
    "precise_rehab": "康复服务机构",
    "child_rehab": "残疾儿童康复定点机构",
    "poverty_rehab": "康复服务机构",
    "disabled_care": "养护机构",
}
if any(
    tuple(d) != PROGRAMMES for d in (PROGRAMME_SPELLINGS, SERVICE_TYPES, INSTITUTION_KINDS)
) or len(PROGRAMME_SHARE) != len(PROGRAMMES):
    raise ValueError("the demo's programme parameters must cover the reference's programmes")

# Share of active subjects served per year, by district profile (met / on track / lagging /
# behind): mental_rehab reaches 60% by the end of the window's last year in some districts and stays near 43% in one.
PROFILES = {
    "met": (0.34, 0.50, 0.67),
    "on_track": (0.31, 0.46, 0.60),
    "lagging": (0.29, 0.42, 0.55),
    "behind": (0.22, 0.33, 0.43),
}
PROFILE_CYCLE = ("met", "lagging", "on_track", "behind", "met", "on_track", "lagging")

SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏建华红梅文辉力飞鑫宇浩然子轩欣怡梓涵晨阳佳琪俊杰思远雨萱博文"
)
TOWN_SUFFIX = ("街道", "镇", "镇", "乡", "街道", "镇")
TOWN_STEMS = list("铜钟红旗工人站前辽海凡河腰堡新台熊官平顶乔家古城老城庆云八棵树大甸子宝力亮中")
EXIT_REASONS = ("死亡", "迁出", "康复", "自愿退出", "其他")
REFERRAL_SOURCES = ("精神卫生医疗机构", "社区卫生服务中心", "乡镇卫生院", "家属申请", "民政部门")

# Headers vary by district: each tuple is one district's way of writing the columns.
CASE_HEADERS = (
    {
        "case_id": "个案编号",
        "programme": "项目名称",
        "id_number": "身份证号",
        "district": "所属区县",
    },
    {"case_id": "档案编号", "programme": "项目", "id_number": "公民身份号码", "district": "区县"},
    {"case_id": "个案编号", "programme": "所属项目", "id_number": "身份证号码", "district": "县区"},
)
CASE_COLUMNS = {
    "certificate_no": "残疾人证号", "name": "姓名", "gender": "性别", "disability_category": "残疾类别",
    "disability_level": "残疾等级", "certified": "是否持证", "township": "乡镇（街道）",
    "registration_date": "登记日期", "need_assessed": "是否有康复需求", "assessment_date": "评估日期",
    "application_date": "申请日期", "review_date": "审核日期", "referral_date": "转介日期",
    "referral_source": "转介来源", "poverty_status": "贫困类型", "medical_insurance": "是否参加基本医疗保险",
    "family_doctor_signed": "是否家庭医生签约", "income_assessment_date": "家庭收入核定日期",
    "exit_date": "退出日期", "exit_reason": "退出原因",
}  # fmt: skip
SERVICE_COLUMNS = {
    "service_id": "服务记录编号", "case_id": "个案编号", "institution_id": "服务机构编码",
    "service_type": "服务项目", "start_date": "服务开始日期", "end_date": "服务结束日期",
    "standardized": "是否规范服务", "months": "训练月数", "amount": "补助金额（元）",
    "settled_date": "结算日期",
}  # fmt: skip
INSTITUTION_COLUMNS = {
    "institution_id": "机构编码", "name": "机构名称", "district": "所属区县", "kind": "机构类型",
    "programmes": "承担项目", "designated_from": "定点开始日期", "designated_to": "定点结束日期",
    "capacity": "服务能力（人）",
}  # fmt: skip
STAFF_COLUMNS = {
    "staff_id": "人员编号", "institution_id": "机构编码", "name": "姓名",
    "professional_degree": "是否具有相关专业学历", "direct_service": "是否直接服务人员",
    "training_hours": "年度培训学时", "year": "年度",
}  # fmt: skip

BAD_KINDS = (
    "missing_required", "missing_identifier", "id_checksum", "id_birth_date", "id_excel_float",
    "certificate_format", "date_invalid", "date_out_of_range", "category_invalid",
    "level_invalid", "programme_unknown", "yes_no_invalid", "district_unknown", "duplicate_key",
    "duplicate_exact",
)  # fmt: skip
SERVICE_BAD_KINDS = ("end_before_start", "orphan_service", "number_invalid", "date_invalid")


@dataclass(frozen=True)
class Window:
    """The demo's three calendar years, ending at the last month end before `today` (the day
    the districts send their files), so the demo always shows the current year."""

    today: date

    @property
    def end(self) -> date:
        return date(self.today.year, self.today.month, 1) - timedelta(days=1)

    @property
    def start(self) -> date:
        return date(self.end.year - 2, 1, 1)

    @property
    def years(self) -> tuple[int, int, int]:
        return (self.end.year - 2, self.end.year - 1, self.end.year)

    def day(self, years_back: int, month: int, day: int) -> date:
        """A day of the window's last year, or of a year `years_back` before it."""
        return date(self.end.year - years_back, month, day)


@dataclass(frozen=True)
class DemoSummary:
    files: list[Path]
    persons: int
    case_rows: int
    service_rows: int
    institution_rows: int
    staff_rows: int
    bad_rows: dict[str, int] = field(default_factory=dict)


def write_demo(
    out: Path,
    scale: str = "small",
    seed: int = 7,
    jurisdiction: str = "211200",
    today: date | None = None,
) -> DemoSummary:
    """Write a realistic synthetic inbox for `jurisdiction` into `out`, as districts send it
    on `today` (default: the current date): records up to the last month end before it."""
    window = Window(today or date.today())
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    out.mkdir(parents=True, exist_ok=True)
    units = _jurisdiction_units(jurisdiction)
    rng = np.random.default_rng(seed)
    big = scale in ("province", "national")
    towns = _townships(units, rng)
    institutions = _institutions(units, rng, window)
    cases, services = _cases_and_services(SCALES[scale], units, towns, institutions, rng, window)
    staff = _staff(institutions, rng, window)
    persons = cases.get_column("id18").n_unique()

    bad: dict[str, int] = dict.fromkeys(BAD_KINDS + SERVICE_BAD_KINDS, 0)
    served_cases = services.get_column("case_id").unique()
    case_text = _case_text(cases, units, rng)
    case_text = _inject_case_problems(case_text, served_cases, units, rng, bad, window)
    service_text = _service_text(services, rng)
    service_text = _inject_service_problems(service_text, rng, bad, window)

    files: list[Path] = []
    files.append(_write_institutions(out, institutions, units, big, window))
    for i, unit in enumerate(units):
        header = CASE_HEADERS[i % len(CASE_HEADERS)]
        part = case_text.filter(pl.col("_unit") == unit.code).drop("_unit")
        renamed = part.rename({**CASE_COLUMNS, **header, "district_code": "区县代码"}, strict=False)
        files.append(
            _write_table(
                out,
                f"02_个案_{unit.name}_{window.end:%Y-%m}",
                renamed,
                i,
                big,
                _case_title(unit, window),
                window,
            )
        )
        svc = service_text.filter(pl.col("_unit") == unit.code).drop("_unit")
        files.append(
            _write_table(
                out,
                f"03_服务_{unit.name}_{window.end:%Y-%m}",
                svc.rename(SERVICE_COLUMNS),
                i + 1,
                big,
                f"{unit.name}康复服务记录台账",
                window,
            )
        )
    files.append(_write_staff(out, staff, big, window))
    return DemoSummary(
        files=files,
        persons=persons,
        case_rows=case_text.height,
        service_rows=service_text.height,
        institution_rows=institutions.height,
        staff_rows=staff.height,
        bad_rows={k: v for k, v in bad.items() if v},
    )


# -- the population ------------------------------------------------------------------------------


def _jurisdiction_units(code: str) -> list[Unit]:
    return list(jurisdiction(code).units)


def _district_forms(units: list[Unit]) -> tuple[dict, dict, dict]:
    """(name, short form, city + name) per district code, each kept only where it is
    unambiguous in the jurisdiction (two 铁西区 in Liaoning need their city), else the code."""
    resolver = DistrictResolver(
        Jurisdiction(code="000000", name="", level="省", units=tuple(units))
    )

    def form(text: str, code: str) -> str:
        return text if resolver.resolve(text) == code else code

    return (
        {u.code: form(u.name, u.code) for u in units},
        {u.code: form(short_form(u.name) or u.name, u.code) for u in units},
        {u.code: form(u.city + u.name, u.code) for u in units},
    )


def _townships(units: list[Unit], rng: np.random.Generator) -> dict[str, list[str]]:
    towns = {}
    for u in units:
        n = int(rng.integers(4, 9))
        stems = rng.choice(len(TOWN_STEMS) - 1, size=n, replace=False)
        short = u.name[:2]
        towns[u.code] = [
            (short if k == 0 else "") + TOWN_STEMS[s] + TOWN_STEMS[s + 1] + TOWN_SUFFIX[k % 6]
            for k, s in enumerate(stems)
        ]
    return towns


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _to_date(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype("int64")).cast(pl.Date)


def _ids(area: np.ndarray, born_days: np.ndarray, seq: np.ndarray) -> np.ndarray:
    born = pl.Series(born_days.astype("int64")).cast(pl.Date).dt.strftime("%Y%m%d").to_numpy()
    body = area.astype(np.int64) * 10**11 + born.astype(np.int64) * 1000 + seq
    bodies = pl.Series(body.astype(str))
    return (
        pl.select(pl.concat_str(pl.lit(bodies), check_char_expr(pl.lit(bodies))))
        .to_series()
        .to_numpy()
    )


def _institutions(units: list[Unit], rng: np.random.Generator, window: Window) -> pl.DataFrame:
    """2–6 designated institutions per district; some districts gain mental-rehab service late."""
    rows = []
    for i, u in enumerate(units):
        profile = PROFILE_CYCLE[i % len(PROFILE_CYCLE)]
        # When the district's first community mental-rehab institution was designated.
        first_mental = {"met": window.day(3, 6, 1), "on_track": window.day(2, 3, 1)}.get(
            profile, window.day(1, 4, 1) if profile == "lagging" else window.day(0, 5, 1)
        )
        if i % 9 == 8:
            first_mental = None  # a district still without capability
        n = int(rng.integers(2, 7))
        for k in range(n):
            main = PROGRAMMES[(i + k) % len(PROGRAMMES)]
            progs = {main}
            if rng.random() < 0.4:
                progs.add(PROGRAMMES[int(rng.integers(0, len(PROGRAMMES)))])
            if k == 0:
                progs = {"mental_rehab", "precise_rehab"} if first_mental else {"precise_rehab"}
            start = (
                first_mental
                if k == 0 and first_mental
                else date(
                    window.end.year - 4 + int(rng.integers(0, 4)), int(rng.integers(1, 13)), 1
                )
            )
            if start > window.end:
                start = window.day(0, 1, 1)
            ends = window.day(1, 12, 31) if (k == n - 1 and rng.random() < 0.3) else None
            rows.append(
                {
                    "institution_id": f"JG{u.code}{k + 1:02d}",
                    "name": f"{u.name}{'精神障碍社区康复服务中心' if 'mental_rehab' in progs and k == 0 else ('康复中心' if k % 2 else '残疾人康复服务站')}{'' if k < 2 else k}",
                    "district_code": u.code,
                    "kind": INSTITUTION_KINDS["mental_rehab" if k == 0 and first_mental else main],
                    "programmes": sorted(progs),
                    "designated_from": start,
                    "designated_to": ends,
                    "capacity": int(rng.integers(20, 200)),
                }
            )
    return pl.DataFrame(rows)


def _cases_and_services(
    n: int,
    units: list[Unit],
    towns: dict[str, list[str]],
    institutions: pl.DataFrame,
    rng: np.random.Generator,
    window: Window,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    codes = np.array([u.code for u in units])
    weights = rng.gamma(4.0, 1.0, size=len(units))
    unit_idx = rng.choice(len(units), size=n, p=weights / weights.sum())
    prog_idx = rng.choice(len(PROGRAMMES), size=n, p=PROGRAMME_SHARE)
    programme = np.array(PROGRAMMES)[prog_idx]
    reg = rng.integers(_days(window.start), _days(window.end) + 1, size=n)
    is_child = programme == "child_rehab"
    # Children are 0–17 at registration; a tenth of them are 17 and turn 18 during services.
    age_years = np.where(
        is_child,
        np.where(rng.random(n) < 0.1, 17, rng.integers(1, 17, size=n)),
        rng.integers(18, 86, size=n),
    )
    born = reg - (age_years * 365.25).astype(np.int64) - rng.integers(0, 360, size=n)
    # The ID's area code is where the person was born: mostly their district, sometimes not.
    area = np.where(
        rng.random(n) < 0.85, codes[unit_idx], codes[rng.integers(0, len(units), size=n)]
    )
    ids = _ids(area, born, rng.integers(0, 1000, size=n))
    profile = np.array([PROFILE_CYCLE[i % len(PROFILE_CYCLE)] for i in range(len(units))])[unit_idx]
    category = np.where(
        programme == "mental_rehab",
        "精神",
        np.where(
            is_child,
            rng.choice(["智力", "孤独症", "听力", "肢体", "言语"], size=n),
            rng.choice(["视力", "听力", "言语", "肢体", "智力", "精神", "多重"], size=n),
        ),
    )
    town_pick = rng.random(n)
    township = np.array(
        [towns[c][int(t * len(towns[c]))] for c, t in zip(codes[unit_idx], town_pick, strict=True)]
    )
    persons = pl.DataFrame(
        {
            "id18": ids,
            "name": np.char.add(
                np.array(SURNAMES)[rng.integers(0, len(SURNAMES), size=n)],
                np.char.add(
                    np.array(GIVEN)[rng.integers(0, len(GIVEN), size=n)],
                    np.where(
                        rng.random(n) < 0.7,
                        np.array(GIVEN)[rng.integers(0, len(GIVEN), size=n)],
                        "",
                    ),
                ),
            ),
            "programme": programme,
            "district_code": codes[unit_idx],
            "profile": profile,
            "township": township,
            "registration_date": _to_date(reg),
            "birth_date": _to_date(born),
            "disability_category": category,
            "disability_level": rng.integers(1, 5, size=n).astype(str),
            "certified": rng.random(n) < 0.92,
        }
    ).with_row_index("person")
    # People who move: a later registration in another district with a new case number.
    movers = persons.sample(fraction=0.03, seed=int(rng.integers(1 << 30)))
    mover_units = rng.integers(0, len(units), size=movers.height)
    moved_reg = (
        movers.get_column("registration_date").to_numpy().astype("datetime64[D]").astype(np.int64)
    )
    moved_reg = np.minimum(moved_reg + rng.integers(60, 400, size=movers.height), _days(window.end))
    movers = movers.with_columns(
        pl.Series("district_code", codes[mover_units]),
        pl.Series("township", [towns[codes[u]][0] for u in mover_units]),
        pl.Series("registration_date", _to_date(moved_reg)),
        pl.Series(
            "profile",
            np.array([PROFILE_CYCLE[i % len(PROFILE_CYCLE)] for i in range(len(units))])[
                mover_units
            ],
        ),
    )
    cases = pl.concat([persons, movers]).with_row_index("row")
    m = cases.height
    reg_days = (
        cases.get_column("registration_date").to_numpy().astype("datetime64[D]").astype(np.int64)
    )
    exits = rng.random(m) < 0.08
    exit_days = np.where(
        exits, np.minimum(reg_days + rng.integers(30, 700, size=m), _days(window.end)), -1
    )
    prog = cases.get_column("programme").to_numpy()
    app_days = reg_days + rng.integers(0, 10, size=m)
    # Reviews: most within 5 working days (about 7 calendar days), some late, some pending.
    review_gap = np.where(
        rng.random(m) < 0.85, rng.integers(1, 7, size=m), rng.integers(9, 30, size=m)
    )
    review_days = np.where(rng.random(m) < 0.97, app_days + review_gap, -1)
    cases = cases.with_columns(
        pl.format(
            "{}-{}", pl.col("district_code"), (pl.col("row") + 1).cast(pl.String).str.zfill(7)
        ).alias("case_id"),
        pl.Series("exit_date", _to_date(exit_days)).replace(date(1969, 12, 31), None),
        pl.when(pl.Series(exits))
        .then(pl.Series(rng.choice(EXIT_REASONS, size=m)))
        .alias("exit_reason"),
        pl.Series(
            "need_assessed",
            rng.random(m) < np.where(np.isin(prog, ["precise_rehab", "poverty_rehab"]), 0.85, 0.95),
        ),
        pl.Series(
            "assessment_date",
            _to_date(np.minimum(reg_days + rng.integers(0, 20, size=m), _days(window.end))),
        ),
        pl.when(pl.col("programme") == "child_rehab")
        .then(pl.Series(_to_date(np.minimum(app_days, _days(window.end)))))
        .alias("application_date"),
        pl.when((pl.col("programme") == "child_rehab") & pl.Series(review_days >= 0))
        .then(pl.Series(_to_date(np.minimum(np.maximum(review_days, app_days), _days(window.end)))))
        .alias("review_date"),
        pl.when(pl.col("programme") == "mental_rehab")
        .then(pl.Series(_to_date(reg_days - rng.integers(0, 30, size=m))))
        .alias("referral_date"),
        pl.when(pl.col("programme") == "mental_rehab")
        .then(pl.Series(rng.choice(REFERRAL_SOURCES, size=m)))
        .alias("referral_source"),
        pl.when(pl.col("programme") == "poverty_rehab")
        .then(pl.lit("建档立卡"))
        .otherwise(pl.Series(rng.choice(["无", "无", "无", "低保", "特困"], size=m)))
        .alias("poverty_status"),
        pl.Series("medical_insurance", rng.random(m) < 0.96),
        pl.Series("family_doctor_signed", rng.random(m) < 0.88),
        pl.when(pl.col("programme") == "disabled_care")
        .then(pl.Series(_to_date(_days(window.end) - rng.integers(0, 500, size=m))))
        .alias("income_assessment_date"),
    )
    services = _services(cases, institutions, rng, window)
    return cases, services


def _services(
    cases: pl.DataFrame, institutions: pl.DataFrame, rng: np.random.Generator, window: Window
) -> pl.DataFrame:
    """Service episodes per year: the share served follows the district's profile."""
    frames = []
    reg = cases.get_column("registration_date").to_numpy().astype("datetime64[D]").astype(np.int64)
    exit_ = cases.get_column("exit_date").to_numpy().astype("datetime64[D]")
    exit_days = np.where(np.isnat(exit_), 10**6, exit_.astype(np.int64))
    profile = cases.get_column("profile").to_numpy()
    prog = cases.get_column("programme").to_numpy()
    rates = np.array([PROFILES[p] for p in profile])
    # Other programmes are served more (or less) than mental_rehab.
    boost = np.select(
        [
            prog == "poverty_rehab",
            prog == "child_rehab",
            prog == "disabled_care",
            prog == "precise_rehab",
        ],
        [1.45, 1.6, 1.5, 1.3],
        1.0,
    )
    inst = institutions.explode("programmes")
    inst_by = {
        (d, p): ids
        for d, p, ids in inst.group_by("district_code", "programmes")
        .agg("institution_id")
        .iter_rows()
    }
    fallback = institutions.get_column("institution_id").to_list()
    district = cases.get_column("district_code").to_numpy()
    for k, year in enumerate(window.years):
        y0, y1 = _days(date(year, 1, 1)), min(_days(date(year, 12, 31)), _days(window.end))
        eligible = (reg <= y1) & (exit_days >= y0)
        # Registered late in the year: less time to be served.
        p = np.clip(rates[:, k] * boost * 0.86, 0, 0.98)
        hit = eligible & (rng.random(cases.height) < p)
        idx = np.nonzero(hit)[0]
        lo = np.maximum(reg[idx], y0)
        start = lo + (rng.random(idx.size) * np.maximum(y1 - lo, 0)).astype(np.int64)
        length = rng.integers(20, 200, size=idx.size)
        ongoing = (rng.random(idx.size) < 0.25) | (prog[idx] == "disabled_care")
        end = np.where(ongoing, -1, np.minimum(start + length, _days(window.end)))
        std = np.where(
            prog[idx] == "mental_rehab", rng.random(idx.size) < 0.93, rng.random(idx.size) < 0.8
        )
        months = np.where(prog[idx] == "child_rehab", rng.integers(1, 11, size=idx.size), 0)
        settled = np.where(
            end > 0, np.minimum(end + rng.integers(5, 80, size=idx.size), _days(window.end)), -1
        )
        frames.append(
            pl.DataFrame(
                {
                    "case_id": cases.get_column("case_id").gather(idx),
                    "programme": prog[idx],
                    "district_code": district[idx],
                    "start_date": _to_date(start),
                    "end_date": _to_date(end),
                    "standardized": std,
                    "months": months,
                    "year": np.full(idx.size, year),
                    "settled_date": _to_date(settled),
                }
            )
        )
        # Some mental-rehab subjects also receive non-standardised services (do not count).
        extra = np.nonzero(eligible & (prog == "mental_rehab") & (rng.random(cases.height) < 0.05))[
            0
        ]
        if extra.size:
            s = np.maximum(reg[extra], y0) + 10
            frames.append(
                pl.DataFrame(
                    {
                        "case_id": cases.get_column("case_id").gather(extra),
                        "programme": prog[extra],
                        "district_code": district[extra],
                        "start_date": _to_date(np.minimum(s, y1)),
                        "end_date": _to_date(np.minimum(s + 30, _days(window.end))),
                        "standardized": np.zeros(extra.size, dtype=bool),
                        "months": np.zeros(extra.size, dtype=np.int64),
                        "year": np.full(extra.size, year),
                        "settled_date": _to_date(np.full(extra.size, -1)),
                    }
                )
            )
    services = pl.concat(frames).with_row_index("n")
    n = services.height
    d = services.get_column("district_code").to_list()
    p = services.get_column("programme").to_list()
    pick = rng.random(n)
    inst_ids = []
    for dist, pr, r in zip(d, p, pick, strict=True):
        choices = inst_by.get((dist, pr)) or fallback
        inst_ids.append(choices[int(r * len(choices))])
    types = [
        SERVICE_TYPES[pr][int(r * len(SERVICE_TYPES[pr]))]
        for pr, r in zip(p, rng.random(n), strict=True)
    ]
    return services.with_columns(
        pl.format("FW{}-{}", pl.col("year"), (pl.col("n") + 1).cast(pl.String).str.zfill(8)).alias(
            "service_id"
        ),
        pl.Series("institution_id", inst_ids),
        pl.Series("service_type", types),
        pl.col("end_date").replace(date(1969, 12, 31), None),
        pl.col("settled_date").replace(date(1969, 12, 31), None),
        pl.when(pl.col("months") > 0).then(pl.col("months")).alias("months"),
        pl.when(pl.col("months") > 0).then(pl.col("months") * 2000).alias("amount"),
    ).drop("n", "year")


def _staff(institutions: pl.DataFrame, rng: np.random.Generator, window: Window) -> pl.DataFrame:
    rows = []
    for inst_id in institutions.get_column("institution_id").to_list():
        n = int(rng.integers(3, 12))
        degree = rng.random(n) < 0.34
        direct = rng.random(n) < 0.75
        for year in window.years:
            hours = np.where(
                rng.random(n) < 0.82, rng.integers(20, 48, size=n), rng.integers(4, 20, size=n)
            )
            for k in range(n):
                rows.append(
                    {
                        "staff_id": f"{inst_id}-{k + 1:02d}",
                        "institution_id": inst_id,
                        "name": SURNAMES[(k * 7 + len(inst_id)) % len(SURNAMES)]
                        + GIVEN[k % len(GIVEN)]
                        + GIVEN[(k * 3) % len(GIVEN)],
                        "professional_degree": bool(degree[k]),
                        "direct_service": bool(direct[k]),
                        "training_hours": int(hours[k]),
                        "year": year,
                    }
                )
    return pl.DataFrame(rows)


# -- writing as districts write -------------------------------------------------------------------


def _date_text(col: str, rng: np.random.Generator, n: int) -> pl.Expr:
    """Dates in the many ways offices write them."""
    style = pl.Series(rng.choice(5, size=n, p=[0.55, 0.2, 0.1, 0.1, 0.05]))
    c = pl.col(col)
    return (
        pl.when(style == 0).then(c.dt.strftime("%Y-%m-%d"))
        .when(style == 1).then(c.dt.strftime("%Y/%-m/%-d"))
        .when(style == 2).then(c.dt.strftime("%Y年%-m月%-d日"))
        .when(style == 3).then(c.dt.strftime("%Y%m%d"))
        .otherwise(c.dt.strftime("%Y.%-m.%-d"))
        .alias(col)
    )  # fmt: skip


def _yes_no(col: str, rng: np.random.Generator, n: int) -> pl.Expr:
    style = pl.Series(rng.choice(4, size=n, p=[0.7, 0.1, 0.1, 0.1]))
    c = pl.col(col)
    yes = (
        pl.when(style == 0)
        .then(pl.lit("是"))
        .when(style == 1)
        .then(pl.lit("Y"))
        .when(style == 2)
        .then(pl.lit("1"))
        .otherwise(pl.lit("√"))
    )
    no = (
        pl.when(style == 0)
        .then(pl.lit("否"))
        .when(style == 1)
        .then(pl.lit("N"))
        .when(style == 2)
        .then(pl.lit("0"))
        .otherwise(pl.lit("否"))
    )
    return pl.when(c.is_null()).then(None).when(c).then(yes).otherwise(no).alias(col)


def _case_text(cases: pl.DataFrame, units: list[Unit], rng: np.random.Generator) -> pl.DataFrame:
    """Cases as text columns, written in varied but valid ways."""
    n = cases.height
    names, shorts, cities = _district_forms(units)
    district_style = pl.Series(rng.choice(4, size=n, p=[0.6, 0.15, 0.15, 0.1]))
    code = pl.col("district_code")
    district = (
        pl.when(district_style == 0).then(code.replace_strict(names))
        .when(district_style == 1).then(code.replace_strict(shorts))
        .when(district_style == 2).then(code.replace_strict(cities))
        .otherwise(code)
    )  # fmt: skip
    spelling = pl.Series(rng.integers(0, 3, size=n))
    programme = pl.col("programme").replace_strict(
        {p: s[0] for p, s in PROGRAMME_SPELLINGS.items()}
    )
    for k in (1, 2):
        programme = (
            pl.when(spelling == k)
            .then(
                pl.col("programme").replace_strict(
                    {p: s[k] for p, s in PROGRAMME_SPELLINGS.items()}
                )
            )
            .otherwise(programme)
        )
    id_style = rng.random(n)
    id18 = pl.col("id18")
    born_1900s = pl.col("id18").str.slice(6, 2) == "19"
    ident = (
        pl.when(pl.Series(id_style < 0.03) & born_1900s)  # legacy 15-digit numbers
        .then(id18.str.slice(0, 6) + id18.str.slice(8, 9))
        .when(pl.Series(id_style > 0.985))  # full-width digits
        .then(id18.str.replace_many(list("0123456789X"), list("０１２３４５６７８９Ｘ")))
        .when(pl.Series((id_style > 0.97) & (id_style <= 0.985)))
        .then(pl.lit("\u200b") + id18)
        .otherwise(id18.str.to_lowercase())  # a lower-case x is as good as X
    )
    certified = pl.col("certified")
    only_cert = pl.Series(rng.random(n) < 0.05)
    cat_digit = pl.col("disability_category").replace_strict(
        {
            "视力": "1",
            "听力": "2",
            "言语": "3",
            "肢体": "4",
            "智力": "5",
            "精神": "6",
            "多重": "7",
            "孤独症": "5",
        }
    )
    level_text = pl.Series(rng.choice(["{}", "{}级"], size=n))
    df = cases.with_columns(
        pl.when(only_cert & certified).then(None).otherwise(ident).alias("id_number"),
        pl.when(certified)
        .then(id18 + cat_digit + pl.col("disability_level"))
        .alias("certificate_no"),
        district.alias("district"),
        programme.alias("programme"),
        pl.when(level_text == "{}级")
        .then(
            pl.col("disability_level").replace_strict(
                {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
            )
        )
        .otherwise(pl.col("disability_level"))
        .alias("disability_level"),
        pl.when(pl.Series(rng.random(n) < 0.4))
        .then(None)
        .otherwise(
            pl.when(id18.str.slice(16, 1).cast(pl.Int32) % 2 == 1)
            .then(pl.lit("男"))
            .otherwise(pl.lit("女"))
        )
        .alias("gender"),
        pl.col("district_code").alias("_unit"),
    )
    df = df.with_columns(
        *(_date_text(c, rng, n) for c in ("registration_date", "assessment_date", "application_date",
                                          "review_date", "referral_date", "income_assessment_date",
                                          "exit_date")),
        *(_yes_no(c, rng, n) for c in ("certified", "need_assessed", "medical_insurance",
                                       "family_doctor_signed")),
    )  # fmt: skip
    return df.select(
        "_unit", "case_id", "programme", "id_number", "certificate_no", "name", "gender",
        "disability_category", "disability_level", "certified", "district", "township",
        "registration_date", "need_assessed", "assessment_date", "application_date", "review_date",
        "referral_date", "referral_source", "poverty_status", "medical_insurance",
        "family_doctor_signed", "income_assessment_date", "exit_date", "exit_reason",
    )  # fmt: skip


def _service_text(services: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = services.height
    return services.with_columns(
        *(_date_text(c, rng, n) for c in ("start_date", "end_date", "settled_date")),
        _yes_no("standardized", rng, n),
        pl.col("months").cast(pl.String),
        pl.col("amount").cast(pl.String),
        pl.col("district_code").alias("_unit"),
    ).select("_unit", *SERVICE_COLUMNS)


def _set(df: pl.DataFrame, rows: np.ndarray, column: str, value: str | None) -> pl.DataFrame:
    mask = pl.Series(np.isin(np.arange(df.height), rows))
    return df.with_columns(
        pl.when(mask).then(pl.lit(value, dtype=pl.String)).otherwise(pl.col(column)).alias(column)
    )


def _inject_case_problems(
    df: pl.DataFrame,
    served: pl.Series,
    units: list[Unit],
    rng: np.random.Generator,
    bad: dict[str, int],
    window: Window,
) -> pl.DataFrame:
    """One problem per chosen row, only on cases without services (no knock-on orphans)."""
    candidates = np.nonzero(~df.get_column("case_id").is_in(served.implode()).to_numpy())[0]
    total = max(len(BAD_KINDS), int(df.height * BAD_SHARE))
    per_kind = max(1, total // len(BAD_KINDS))
    chosen = rng.choice(
        candidates, size=min(candidates.size, per_kind * len(BAD_KINDS)), replace=False
    )
    groups = dict(zip(BAD_KINDS, np.array_split(chosen, len(BAD_KINDS)), strict=True))
    outside = "210102" if units[0].code[:2] != "21" or units[0].code[:4] != "2101" else "220102"
    edits = {
        "missing_required": ("registration_date", None),
        "date_invalid": ("registration_date", "2024-13-45"),
        # after the day the file is sent, whatever that day is
        "date_out_of_range": ("registration_date", f"{window.today.year + 1}-01-01"),
        "category_invalid": ("disability_category", "其他"),
        "level_invalid": ("disability_level", "五级"),
        "programme_unknown": ("programme", "助残项目"),
        "yes_no_invalid": ("need_assessed", "不详"),
        "district_unknown": ("district", "沈阳市和平区" if outside == "210102" else outside),
        "id_excel_float": ("id_number", "2.11202198E+17"),
    }
    for kind, (column, value) in edits.items():
        df = _set(df, groups[kind], column, value)
        bad[kind] += groups[kind].size
    # A floated ID alone: with a certificate number the row would also fail the match rule.
    df = _set(df, groups["id_excel_float"], "certificate_no", None)
    rows = groups["missing_identifier"]
    df = _set(_set(df, rows, "id_number", None), rows, "certificate_no", None)
    bad["missing_identifier"] += rows.size
    rows = groups["certificate_format"]
    df = _set(df, rows, "id_number", None)
    df = df.with_columns(
        pl.when(pl.Series(np.isin(np.arange(df.height), rows)))
        .then(pl.col("certificate_no").fill_null("21120219800101").str.slice(0, 19))
        .otherwise(pl.col("certificate_no"))
        .alias("certificate_no")
    )
    bad["certificate_format"] += rows.size
    # Wrong check digit; impossible birth date (month 13) with a correct check digit.
    id_col = df.get_column("id_number").to_list()
    cert_col = df.get_column("certificate_no").to_list()
    for r in groups["id_checksum"]:
        body = _body(id_col[r], cert_col[r])
        id_col[r] = body + ("0" if check_digit(body) != "0" else "1")
        cert_col[r] = None
    for r in groups["id_birth_date"]:
        body = _body(id_col[r], cert_col[r])
        body = body[:10] + "13" + body[12:]
        id_col[r] = body + check_digit(body)
        cert_col[r] = None
    bad["id_checksum"] += groups["id_checksum"].size
    bad["id_birth_date"] += groups["id_birth_date"].size
    df = df.with_columns(
        pl.Series("id_number", id_col, dtype=pl.String),
        pl.Series("certificate_no", cert_col, dtype=pl.String),
    )
    # Duplicates: a differing copy (both rows rejected) and an exact copy (collapsed).
    dup = df[groups["duplicate_key"].tolist()].with_columns(
        pl.lit("重复登记街道").alias("township")
    )
    same = df[groups["duplicate_exact"].tolist()]
    bad["duplicate_key"] += 2 * dup.height
    bad["duplicate_exact"] += same.height
    return pl.concat([df, dup, same]).sort("_unit", "case_id", maintain_order=True)


def _body(id_number: str | None, certificate: str | None) -> str:
    text = id_number or certificate or "21120219800101000X"
    text = text.replace("\u200b", "").upper()
    text = text.translate(str.maketrans("０１２３４５６７８９Ｘ", "0123456789X"))
    if len(text) == 15:
        text = text[:6] + "19" + text[6:] + "0"
    return text[:17]


def _inject_service_problems(
    df: pl.DataFrame, rng: np.random.Generator, bad: dict[str, int], window: Window
) -> pl.DataFrame:
    per_kind = max(1, int(df.height * BAD_SHARE) // len(SERVICE_BAD_KINDS))
    chosen = rng.choice(
        df.height, size=min(df.height, per_kind * len(SERVICE_BAD_KINDS)), replace=False
    )
    groups = dict(
        zip(SERVICE_BAD_KINDS, np.array_split(chosen, len(SERVICE_BAD_KINDS)), strict=True)
    )
    df = _set(df, groups["orphan_service"], "case_id", "999999-0000000")
    df = _set(df, groups["number_invalid"], "amount", "五百")
    df = _set(df, groups["date_invalid"], "start_date", "去年三月")
    rows = groups["end_before_start"]
    year = window.years[1]
    df = _set(_set(df, rows, "start_date", f"{year}-06-01"), rows, "end_date", f"{year}-03-01")
    for kind in SERVICE_BAD_KINDS:
        bad[kind] += groups[kind].size
    return df


def _case_title(unit: Unit, window: Window) -> str:
    end = window.end
    return f"{unit.city}{unit.name}残疾人康复个案登记表（截至{end.year}年{end.month}月{end.day}日）"


def _csv_bytes(df: pl.DataFrame, title: str | None, encoding: str, sent: date) -> bytes:
    text = df.write_csv()
    if title:
        text = (
            f"{title}\n填报单位：{title[:3]}残联,,填报日期：{sent.isoformat()}\n\n"
            + text
            + "合计,,\n填表人：,审核人：,\n"
        )
    return text.encode(encoding)


def _write_table(
    out: Path, stem: str, df: pl.DataFrame, i: int, big: bool, title: str, window: Window
) -> Path:
    """Rotate formats: UTF-8 CSV, GB18030 CSV, UTF-8 with BOM, and an Excel workbook."""
    if big:
        path = out / f"{stem}.csv"
        path.write_bytes(_csv_bytes(df, None, "utf-8", window.today))
        return path
    kind = i % 4
    if kind == 3:
        path = out / f"{stem}.xlsx"
        _xlsx(path, df, title, window.today, with_instructions=i % 8 == 3)
        return path
    path = out / f"{stem}.csv"
    encoding = ("utf-8", "gb18030", "utf-8-sig")[kind]
    path.write_bytes(_csv_bytes(df, title if kind != 0 else None, encoding, window.today))
    return path


def _xlsx(
    path: Path, df: pl.DataFrame, title: str, sent: date, with_instructions: bool = False
) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    wb.set_properties({"created": datetime(sent.year, sent.month, sent.day)})
    if with_instructions:
        info = wb.add_worksheet("填表说明")
        info.write(0, 0, "填表说明：身份证号、残疾人证号请设置为文本格式；日期格式为年-月-日。")
    ws = wb.add_worksheet("数据")
    bold = wb.add_format({"bold": True, "align": "center"})
    ws.merge_range(0, 0, 0, max(1, df.width - 1), title, bold)
    ws.write_row(2, 0, df.columns, bold)
    for r, row in enumerate(df.iter_rows(), start=3):
        for c, value in enumerate(row):
            if value is not None:
                ws.write_string(r, c, str(value))
    ws.write_row(df.height + 3, 0, ["合计", f"{df.height}条"])
    ws.write_row(df.height + 4, 0, ["填表人：", "", "审核人："])
    wb.close()


def _write_institutions(
    out: Path, institutions: pl.DataFrame, units: list[Unit], big: bool, window: Window
) -> Path:
    names = _district_forms(units)[0]
    df = (
        institutions.with_columns(
            pl.col("district_code").replace_strict(names).alias("district"),
            pl.col("programmes")
            .list.eval(
                pl.element().replace_strict({p: s[0] for p, s in PROGRAMME_SPELLINGS.items()})
            )
            .list.join("、"),
            pl.col("designated_from").dt.strftime("%Y-%m-%d"),
            pl.col("designated_to").dt.strftime("%Y-%m-%d"),
            pl.col("capacity").cast(pl.String),
        )
        .select(*INSTITUTION_COLUMNS)
        .rename(INSTITUTION_COLUMNS)
    )
    if big:
        path = out / "01_机构_定点机构名录.csv"
        path.write_bytes(_csv_bytes(df, None, "utf-8", window.today))
        return path
    path = out / "01_机构_定点机构名录.xlsx"
    _xlsx(path, df, "残疾人康复定点服务机构名录", window.today, with_instructions=True)
    return path


def _write_staff(out: Path, staff: pl.DataFrame, big: bool, window: Window) -> Path:
    df = (
        staff.with_columns(
            *(
                pl.when(pl.col(c)).then(pl.lit("是")).otherwise(pl.lit("否")).alias(c)
                for c in ("professional_degree", "direct_service")
            ),
            pl.col("training_hours").cast(pl.String),
            pl.col("year").cast(pl.String),
        )
        .select(*STAFF_COLUMNS)
        .rename(STAFF_COLUMNS)
    )
    path = out / "04_人员_服务人员培训台账.csv"
    buf = io.BytesIO(
        _csv_bytes(df, None if big else "康复服务人员培训学时台账", "utf-8-sig", window.today)
    )
    path.write_bytes(buf.getvalue())
    return path
