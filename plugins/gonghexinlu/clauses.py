"""The clauses of the source document that the rules cite, so a refused applicant reads the
words they already know."""
from core.plugin_host.toolkit import T

DOC = T("《共和新路街道关于进一步支持居民区开展自治项目化工作的实施方案（试行）》",
        "Gonghexinlu Street implementation plan for neighbourhood self-governance projects (trial), 2023")

SIGNATURE_ONE = T("实施方案 四（一）：每一个居民区持续打造一个……特色品牌自治项目",
                  "Plan §4(1): each neighbourhood builds one lasting signature project")
SIGNATURE_DIRECTIONS = T("实施方案 四（一）：一居一品主要有五种意向……选择一个或多个方向",
                         "Plan §4(1): five directions; choose one or more")
MICRO_DURATION = T("实施方案 四（二）：微自治项目一般周期不超过一年",
                   "Plan §4(2): a micro-venture project normally runs no longer than one year")
MICRO_DIRECTIONS = T("实施方案 四（二）：“七彩微创投”微自治项目主要有7种意向",
                     "Plan §4(2): seven directions for micro-venture projects")
APPLICATION_WINDOW = T("实施方案 五（一）：此阶段为申报阶段，年度的第一个季度完成",
                       "Plan §5(1): applications and review happen in the first quarter")
REVIEW = T("实施方案 五（一）2：就项目可行性、操作性、合规性等提出意见建议；审核通过的自治项目，方可获得相应的资金保障",
           "Plan §5(1)2: the panel reviews feasibility, operability and compliance; only approved projects are funded")
ALL_SCORES = T("本插件设置（实施方案未规定）：实施方案 五（一）2 由评审小组提出意见；街道设为须评审小组全体成员评分后方可作出评审决定",
               "This plugin's setting (the plan sets none): under Plan §5(1)2 the panel gives its opinion; the street "
               "requires every panel member's score before the decision")
OWN_BUDGET = T("实施方案 七：各项目应当制订独立的资金预算",
               "Plan §7: every project must have its own budget")
MICRO_LIMIT = T("实施方案 七：单个项目一次申请资金一般不超过5000元",
                "Plan §7: one micro application normally asks for no more than 5,000 yuan")
RESIDENTS_MINUTES = T("附件2 工具清单 第3项：居民代表大会会议记录，用于项目立项申报时征询社区居民意见",
                      "Annex 2, tool 3: residents' congress minutes, consulting residents when applying")
SIGNATURE_LINE = T("实施方案 七：“一居一品”自治项目相关经费在居民区服务群众专项经费“居民自治”项目中列支",
                   "Plan §7: a signature project is paid from the neighbourhood's self-governance line")
SIGNATURE_EXCESS = T("实施方案 七：允许“一居一品”项目预算超出单个居民区“居民自治”经费额度，经街道自治项目评审小组审核通过，超出部分从“资金池”予以补充",
                     "Plan §7: a signature budget may exceed the line; once the street's panel approves, the excess comes from the pool")
MICRO_FROM_POOL = T("实施方案 七：“七彩微创投”微自治项目全部由“资金池”统筹安排支出",
                    "Plan §7: micro-venture projects are paid entirely from the pool")
POOL_CAP = T("实施方案 七：自治项目“资金池”实行总量控制、择优支持、按需划拨，年度安排金额一般不超过20万元",
             "Plan §7: the pool is capped, merit-based, paid as needed; normally at most 200,000 yuan a year")
POOL_FUNDING = T("实施方案 七：超出部分从居民区工作经费统筹部分设置“资金池”予以补充；“七彩微创投”微自治项目全部由“资金池”统筹安排支出",
                 "Plan §7: the pool is set aside from the neighbourhoods' pooled work funds; it pays signature excesses and micro-venture projects")
SIGNATURE_APPLICANTS = T("实施方案 四（一）：每一个居民区持续打造一个……特色品牌自治项目",
                         "Plan §4(1): each neighbourhood builds its own signature project")
MICRO_APPLICANTS = T("实施方案 四（二）：单个居民区可以申报一个以上“七彩微创投”微自治项目，在全街道范围竞争择优入选",
                     "Plan §4(2): a neighbourhood may apply for several micro-venture projects, which compete street-wide")
IMPLEMENTATION = T("实施方案 五（二）：资金审核、跟踪调研、指导支持（此阶段为实施阶段，一般在年度的第二、三个季度完成）",
                   "Plan §5(2): fund requests, tracking and support make up the implementation stage, normally Q2 and Q3")
MONTHLY_REQUESTS = T("实施方案 五（二）1：社区自治办汇总每月各居民区自治项目的资金申请，交由街道领导按权限审批后，进行相应的资金划拨",
                     "Plan §5(2)1: the office totals each month's fund requests; a street leader approves within their authority; then the money is transferred")
INTENT_FORM = T("附件2 工具清单 第1项：《2023年居民区自治项目、微创投申报意向表》（项目申报立项阶段，意向申报）",
                "Annex 2, tool 1: the intent form, used when applying")
APPLICATION_FORM = T("附件2 工具清单 第2项：《共和新路街道自治项目申报表》用于自治项目方案策划（项目申报立项阶段）",
                     "Annex 2, tool 2: the application form, used to plan the project when applying")
# delivery: plan tasks, activity records, people
PROJECT_PERIOD = T("附件2 工具清单 第5项：《项目活动记录手册》用于自治项目活动实施的过程记录（项目实施阶段）；项目起止日期以《自治项目申报表》为准",
                   "Annex 2, tool 5: the activity book records the project's activities while it is carried out; "
                   "its period is the application form's start and end dates")
REGISTRY_CONSENT = T("平台默认设置（实施方案未规定）：依《个人信息保护法》第十三、十四条，登记项目人员名册须取得本人同意",
                     "This plugin's setting (the plan sets none): by the Personal Information Protection Law (art. 13, 14), "
                     "registering a person needs their consent")
REGISTRY_RETENTION = T("平台默认设置（实施方案未规定）：项目人员名册在结项后保存的年限",
                       "This plugin's setting (the plan sets none): how long the people registry is kept after the close-out")
# What falls due during the year (tongxin_obligations).
QUARTERLY_REPORT = T("附件2 工具清单 第9项：《项目实施情况季报表》用于掌握项目实施情况（项目实施阶段，每季度一次）",
                     "Annex 2, tool 9: the implementation report, once a quarter during implementation")
MID_TERM = T("实施方案 五（二）3：一般在7月份重点开展一次项目中期督导",
             "Plan §5(2)3: a mid-term supervision of each project, normally in July")
STAGE_REVIEW = T("附件2 工具清单 第10、11项：《项目实施情况对照表》《项目阶段性自评报告》用于阶段性总结，一年两次",
                 "Annex 2, tools 10-11: the comparison table and the stage self-assessment, twice a year")
