"""Mail: sending again a notification's e-mail that could not be sent (one, or every one that
failed). Neither takes input beyond the URL; each calls its service
(``core.services.mail_failures``), which the API (``core.api.mail``) and the web
(``core.web.mail``) share."""
from __future__ import annotations

from core.door.operations import declare
from core.i18n import T
from core.permissions import A
from core.services import mail_failures

RETRY_MAIL = declare("mail.retry", A.mail_manage, None, mail_failures.retry_mail,
                     T("重发一封发送失败的邮件", "Send a failed mail again"))
RETRY_ALL_MAIL = declare("mail.retry_all", A.mail_manage, None, mail_failures.retry_all_mail,
                         T("重发全部发送失败的邮件", "Send every failed mail again"))
