"""What the features expect the ledger to print, said in Chinese, translated to the exact English it prints.

The ledger prints its traces, refusals and command output in English. A feature says what it
expects in Chinese (`计算过程包含 "已用 150,000.00元、剩余 350,000.00元"`); `printed()` turns
that into the exact substring the step asserts (`used 150,000.00, remaining 350,000.00`), so
the feature reads in Chinese and the check stays as strict as the English string was:

- PHRASES: fixed Chinese phrases → English substring;
- TEMPLATES: Chinese templates with figures and codes → English template (each figure is
  copied over unchanged, `150,000.00元` → `150,000.00`);
- any other text is expected as is: a code, a parameter version `P2.4.rate@2024-11-05`, or
  the Chinese words the ledger itself prints (`评价优秀`).

A text matching more than one template fails the step; a Chinese text that matches no entry
is looked for literally, so a mistyped phrase fails loudly instead of checking less.
"""

from __future__ import annotations

from typing import Any

import parse


def _typed(pattern: str) -> Any:
    def convert(text: str) -> str:
        return text

    convert.pattern = pattern  # type: ignore[attr-defined]  # parse type converters carry their pattern as a function attribute
    return convert


# Figures as printed (`153,086.42`, `500,000`, `2`), codes and matter keys without spaces, year lists.
TYPES = {
    "Num": _typed(r"-?\d[\d,]*(?:\.\d+)?"),
    "Code": _typed(r"[^\s,;()]+"),
    "Years": _typed(r"\d{4}(?:, \d{4})*"),
    "Date": _typed(r"\d{4}-\d{2}-\d{2}"),
}

# Chinese phrase → the exact English the ledger prints.
PHRASES: dict[str, str] = {
    # corrections (grant void)
    "撤销未拨付的 170,000.00元": "170,000.00 unpaid cancelled",
    # audit verification (jcg audit verify)
    "核验通过": "verification passed",
    "分录借贷平衡": "journal entries balanced",
    "事件位置": "position",
    "不属于任何已签名的请求": "belong to no signed request",
    # the command line
    "试算: 未写入任何内容": "dry run: nothing written",
    "已记录过": "already recorded",
    # 拨投结合 projects
    "项目尚未验收": "is not finished",
    "失败项目只核销, 不验收": "a failed project is written off, not finished",
    # who a clause pays
    "本条款支付对象为企业": "the clause pays enterprise (企业)",
    "本条款支付对象为基金管理人": "the clause pays fund_manager",
}

# Chinese template → English template; the fields are copied unchanged.
TEMPLATES: dict[str, str] = {
    # G.3 就高不重复
    "G.3 事项 {matter:Code}": "G.3 matter {matter}",
    "G.3 事项 {matter:Code} 已获得 {amount:Num}元": "G.3 matter {matter}: already received {amount}",
    "已获得 {amount:Num}元 ({source} {clause:Code} {other:Num}元)": "already received {amount} ({source} {clause} {other})",
    "{who:Code} 就事项 {matter:Code} 已获得 {amount:Num}元": "matter {matter} of {who} already received {amount}",
    # caps: annual, over the construction period, net of clawbacks
    "已用 {used:Num}元、剩余 {left:Num}元": "used {used}, remaining {left}",
    "扣除追回后已用 {used:Num}元 (已奖励 {awarded:Num}元 − 已追回 {back:Num}元)、剩余 {left:Num}元":
        "used {used} net of clawbacks ({awarded} awarded − {back} clawed back), remaining {left}",
    "{clause:Code}: {rate:Num}% × {base:Num}元 = {product:Num}元; 合同 {contract:Code} 于 {on:Date} 认定登记, "
    "合同相对方 {party:Code} {name} ({kind}); {who:Code} 年度上限 {cap:Num}元/年, "
    "已用 {used:Num}元、剩余 {left:Num}元 → {amount:Num}元":
        "{clause}: {rate}% × {base} = {product}; contract {contract} registered on {on} (认定登记), with {party} "
        "{name} ({kind}); cap {cap}/yr for {who}, used {used}, remaining {left} → {amount}",
    "补发差额 {diff:Num}元; {who:Code} 年度上限 {cap:Num}元/年, 已用 {used:Num}元、剩余 {left:Num}元":
        "pays the difference {diff}; cap {cap}/yr for {who}, used {used}, remaining {left}",
    "建设期内上限 {cap:Num}元, 已用 {used:Num}元、剩余 {left:Num}元":
        "cap {cap} over the construction period, used {used}, remaining {left}",
    "{clause:Code}: 决定金额 {amount:Num}元 超过 {who:Code} {year:d} 年度上限 {cap:Num}元/年 的剩余额度 {left:Num}元":
        "{clause}: amount decided {amount} exceeds the {left} remaining of the cap {cap}/yr for {who} in {year}",
    "{clause:Code}: 决定金额 {amount:Num}元 超过建设期内上限 {cap:Num}元 的剩余额度 {left:Num}元":
        "{clause}: amount decided {amount} exceeds the {left} remaining of the cap {cap} over the construction period",
    # one-time awards (一次性)
    "{clause:Code}: 一次性奖励: {who:Code} 已获得奖励 {award:Code} {amount:Num}元":
        "{clause}: one-time (一次性): {who} already received award {award} of {amount}",
    "{clause:Code}: 一次性奖励: {who:Code} 已于 {day:Date} 获得奖励 {award:Code} {amount:Num}元":
        "{clause}: one-time (一次性): {who} already received award {award} of {amount} on {day}",
    "{clause:Code}: 基金 {fund:Code} 一次性奖励": "{clause}: one-time (一次性) for fund {fund}",
    # P2.4 contracts subsidised in an earlier year
    "合同 {contract:Code} 已于 {year:d} 年补贴": "contract {contract} was subsidised in {year}",
    "{clause:Code}: 合同 {contract:Code} 已于 {year:d} 年补贴 ({amount:Num}元); 以后年度不能补足 ({final:d} 年度上限为最终结果)":
        "{clause}: contract {contract} was subsidised in {year} ({amount}); a later year cannot top it up "
        "(the {final} annual cap is final)",
    # P2.4: the contract's registration and counterparty, in the trace
    "合同 {contract:Code} 于 {on:Date} 认定登记, 合同相对方 {who:Code} {name} ({kind})":
        "contract {contract} registered on {on} (认定登记), with {who} {name} ({kind})",
    "合同 {contract:Code} 于 {on:Date} 认定登记, 合同相对方 {who:Code} 未在账本登记":
        "contract {contract} registered on {on} (认定登记), with {who}, not registered in the ledger",
    # who may receive
    "受益单位 {who:Code} 是企业; 本条款支付对象为服务机构": "recipient {who} is an enterprise; the clause pays service_org",
    "研究院 {code:Code}": "for institute {code}",
    # P2.1 rent, P2.1c 一事一议, P4 talent
    "已计租金年度 {years:Years}: 第 {n:d} 年, 最多 {most:d} 年": "rent years counted {years}: {n} of at most {most}",
    "理由: {reason}": "reason: {reason}",
    "已缴纳社保, 劳动合同 {years:d} 年 ≥ {least:d} 年": "social insurance paid, contract {years} ≥ {least} years",
    "本年度第 {n:d} 名": "this is no. {n}",
    # 拨投结合 fund failure tolerance
    "失败率超过 {ratio:d}% 容错比例": "ABOVE the {ratio}% tolerance",
    # P5.6 compensation still owed to the bank
    "{payer} 尚欠 {bank:Code} {amount:Num}元": "{payer} still owes {bank} {amount}",
    "{payer} 尚欠 {bank:Code} {amount:Num}元 (共 {total:Num}元)": "{payer} still owes {bank} {amount} of {total}",
    # the audit: an edited event
    "事件与 {officer:Code} 签名的内容不符": "event differs from what {officer} signed",
}

_COMPILED = [(parse.compile(chinese, extra_types=TYPES), english) for chinese, english in TEMPLATES.items()]

# Project statuses in Chinese → the status the ledger records.
STATUSES = {
    "已批准": "approved",
    "已转股": "converted",
    "已还款": "repaid",
    "已违约": "defaulted",
    "已退出": "exited",
    "已核销": "failed",
    "已验收": "finished",
}

# Parameter names and units of a dated revision (G.4), in Chinese.
PARAMETER_NAMES = {
    "施行日期": "in_force_from",
    "有效期截止日期": "in_force_until",
    "补贴比例": "rate",
    "奖励比例": "ratio",
    "年度上限": "annual_cap",
}
UNITS = {"比率": "rate", "元": "yuan", "平方米": "m2", "日期": "date", "年": "years", "个数": "count",
         "文字": "text", "是否": "bool"}


def printed(text: str) -> str:
    """The exact English substring the ledger prints for what a feature says in Chinese."""
    if text in PHRASES:
        return PHRASES[text]
    found = [english.format(**result.named) for template, english in _COMPILED
             if (result := template.parse(text)) is not None]
    assert len(found) <= 1, f"{text!r} matches several templates in tests/steps/wording.py: {found}"
    return found[0] if found else text


def translated(table: dict[str, str], label: str, what: str) -> str:
    assert label in table, f"unknown {what} {label!r} (one of {', '.join(table)})"
    return table[label]
