"""The words of the source that the rules cite, so a refused neighbourhood or a sponsor reads
what the street already told them. The source is a news page of 静安寺街道 (seed 002), which
describes the practice rather than numbering clauses; citations name its three "models"."""
from core.plugin_host.toolkit import T

DOC = T("《海园共治金探索自治新模式》（静安寺街道表彰社区自治100佳）",
        "Haiyuan co-governance fund: a new model of self-governance (Jing'an Temple Street)")

FUND = T("众筹资金模式：由辖区内的上海宾馆、平安养老保险等单位积极认领并设立了30万的社区共治金",
         "Crowd-funding model: local units such as the Shanghai Hotel and Ping An Pension set up a 300,000-yuan co-governance fund")
USES = T("认领项目模式：共治金的使用主要用于社区自治和全项目大修等惠民的实项目，公益助学、助老、助残服务，文化教育配送服务等三个方面",
         "Claiming model: the fund is used for self-governance and repair projects, aid for students, the elderly and the disabled, and culture and education")
COUNCIL = T("认领项目模式：每年定期召开同心家园共建理事会海园分会，会上通报已申报的社区项目，共建单位认领社区项目，定向承诺提供资金、资源等资助",
            "Claiming model: each year the council announces the submitted projects; sponsors claim them and commit money or resources")
SPENDING = T("经费使用模式：居民区预先向街道进行经费使用申请，明确经费使用用途、使用对象和使用金额；形成居民区监督委员会定期监督制度",
             "Spending model: the neighbourhood applies to the street before spending, stating purpose, beneficiaries and amount; "
             "the supervision committee checks regularly")
CONGRESS = T("经费使用模式：在年度居民代表大会上向居民通报经费监督情况，确保共治金在阳光下使用",
             "Spending model: the annual residents' congress hears how the fund was supervised")
RAISED = T("众筹资金模式：同心家园共建理事会海园分会搭平台……充分运用不同的资金募集方式，使得共治金的筹集更灵活",
           "Crowd-funding model: the council is the platform; the fund is raised in flexible ways, and spends what was raised")
# delivery: plan tasks, activity records, people
YEAR = T("认领项目模式：每年定期召开同心家园共建理事会海园分会，会上通报已申报的社区项目（项目按年度通报、认领和实施）",
         "Claiming model: each year the council announces the submitted projects (projects are announced, claimed and carried out by the year)")
REGISTRY_CONSENT = T("平台默认设置（来源材料未规定）：依《个人信息保护法》第十三、十四条，登记项目人员名册须取得本人同意",
                     "This plugin's setting (the source sets none): by the Personal Information Protection Law (art. 13, 14), "
                     "registering a person needs their consent")
REGISTRY_RETENTION = T("平台默认设置（来源材料未规定）：项目人员名册在结项后保存的年限",
                       "This plugin's setting (the source sets none): how long the people registry is kept after the close-out")
