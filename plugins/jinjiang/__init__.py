"""晋江市 "共建共享" community governance projects, 2023: a city-wide call.

Source: 晋江市民政局、晋江市财政局《关于做好2023年晋江市“共建共享”社区治理项目申报工作的通知》
(2023-03-10). Communities and villages apply with a 申报表 and a 项目方案书; their town or street
checks and stamps each application; the city bureau's panel scores and selects up to twelve
pilots and recommends the best to 泉州's programme, which decides their subsidy tier.
"""
