# language: zh-CN
功能: 经办人在命令行办理: 核定、试算、拒绝与用法错误
  经办人用 “jcg” 命令办理业务。核定奖励时命令打印计算过程和所用参数版本;
  试算只打印计算过程, 不写入账本; 被拒绝的请求只打印一行 “error: …” 并以退出码 1 结束, 不写入任何内容;
  命令写错 (缺少必填项) 时以退出码 2 结束。金额可以按经办人的习惯写: 50万元、500,000.00、1,000,000.01元。

  背景:
    假如 已登记高校 "U1" 山西师范大学, 入驻日期 2024-12-01
    并且 已登记企业 "E1" 临汾光电科技有限公司, 入驻日期 2024-12-01

  @P2.4
  场景: 在命令行按 P2.4 核定奖励, 打印计算过程和参数版本
    当 经办人在命令行执行 "jcg grant award P2.4 --recipient U1 --basis contract_value=7,654,321.09元 --basis contract=HT-2025-001 --basis registered_on=2024-11-01 --basis counterparty=E1 --decided 2025-03-01 --ref 临科发〔2025〕12号"
    那么 命令成功
    并且 命令输出包含 "P2.4：2% × 7,654,321.09元 = 153,086.42元"
    并且 命令输出包含 "P2.4.rate@2024-11-05"
    并且 "U1" 累计获得奖励 153,086.42元

  @P2.4
  场景: 在命令行试算, 不写入账本
    当 经办人在命令行执行 "jcg policy calc P2.4 --recipient U1 --basis contract=HT-CALC-1 --basis registered_on=2024-11-01 --basis counterparty=E1 --basis contract_value=1000万元 --decided 2025-03-01"
    那么 命令成功
    并且 命令输出包含 "200,000.00"
    并且 命令输出包含 "试算：未写入任何内容"
    并且 账本未写入任何内容

  @P2.4
  场景: 在命令行被拒绝的请求只打印一行错误, 不写入任何内容
    当 经办人在命令行执行 "jcg grant award P2.4 --recipient E1 --basis contract=HT-CLI-1 --basis registered_on=2024-11-01 --basis counterparty=E1 --basis contract_value=100万元 --decided 2025-03-01 --ref 临科发〔2025〕12号"
    那么 命令被拒绝 (退出码 1): 受益单位类型不符
    并且 账本未写入任何内容

  @G.1
  场景: 在命令行提交有效期外的决定被拒绝
    当 经办人在命令行执行 "jcg grant award P2.4 --recipient U1 --basis contract=HT-CLI-1 --basis registered_on=2024-11-01 --basis counterparty=E1 --basis contract_value=100万元 --decided 2029-01-01 --ref 临科发〔2029〕1号"
    那么 命令被拒绝 (退出码 1): 决定日期不在政策有效期内
    并且 账本未写入任何内容

  @P5.6a
  场景: 在命令行试算贷款本金损失补偿
    当 经办人在命令行执行 "jcg policy calc P5.6a --basis loss=333,333.33 --decided 2025-06-30"
    那么 命令成功
    并且 命令输出包含 "116,666.67"
    并且 命令输出包含 "99,999.99"
    并且 账本未写入任何内容

  场景: 缺少决定日期是用法错误 (退出码 2), 不写入任何内容
    当 经办人在命令行执行 "jcg grant award P2.4 --recipient U1 --basis contract=HT-CLI-1 --basis registered_on=2024-11-01 --basis counterparty=E1 --basis contract_value=100万元 --ref 临科发〔2025〕12号"
    那么 命令用法错误 (退出码 2)
    并且 账本未写入任何内容

  场景大纲: 金额写法不合规时被拒绝
    当 经办人在命令行执行 "jcg grant disburse U1-A1 --amount <金额> --decided 2025-03-10"
    那么 命令用法错误 (退出码 2)
    并且 账本未写入任何内容

    例子: 浮点指数、超过两位小数、负数、非数字
      | 金额     |
      | 1e5      |
      | 100.001  |
      | -100     |
      | 十万元   |
