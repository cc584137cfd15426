//! The shared label dictionary: form labels → canonical fields.
//!
//! Every rule reads labels through this one table (the labels the common
//! form builders print, see docs/rules.md "Field names"); a rule's `[fields]` adds aliases by canonical
//! name, and an unknown canonical name is a `check` error. Labels are
//! compared after [`normalize_label`], so `Адрес_замера:`, `адрес замера` and
//! `АДРЕС ЗАМЕРА*` are the same label. When no exact label matches, keyword
//! patterns catch the long tail of owner-typed captions and quiz questions.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

use regex::Regex;

/// Canonical field names a rule may use in `[fields]` and `[[extract]]`.
pub const CANONICAL: &[&str] = &[
    "name",
    "last_name",
    "middle_name",
    "phone",
    "email",
    "product",
    "address",
    "visit_time",
    "scope",
    "referral",
    "message",
    "page",
    "form",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "request_id",
    "ip",
    "meta",
];

/// Whether `name` is a canonical field name.
pub fn is_canonical(name: &str) -> bool {
    CANONICAL.contains(&name)
}

/// Exact labels per canonical field (compared normalised).
const LABELS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "name",
            "your name",
            "your-name",
            // Formcarry's starter form names its name input `sender`.
            "sender",
            // The input names of hand-made forms (`fname` / `lname`).
            "fname",
            "full name",
            "first name",
            "firstname",
            "vorname",
            // French handlers' `Nom :` (a NestJS Handlebars contact template).
            "nom",
            "имя",
            "ваше имя",
            "ваше имя и фамилия",
            "имя и фамилия",
            "фио",
            "ф и о",
            "ваше фио",
            "имя клиента",
            "клиент",
            // KeyCRM's new card notice (`Клієнт: Вікторія Мельник`).
            "клієнт",
            // Salon Booking System's caption over the client's card (name,
            // email, phone, address lines; see `contact_card`).
            "customer details",
            "заказчик",
            "замовник",
            // A marketplace's buyer card (Prom.ua's `Покупець: Ігор`).
            "покупатель",
            "покупець",
            "buyer",
            "контактное лицо",
            "автор",
            "введите ваше имя",
            "как к вам обращаться",
            "как вас зовут",
            "родитель",
            "от",
            "from",
            "ma_name",
            "visitor name",
            // A chat transcript's visitor block (Olark: `Visitor: Марина`).
            "visitor",
            "посетитель имя",
            "fio",
            "your full name",
            "contact name",
            "client name",
            // MotoPress Appointment: `Client:` over the name, email and phone.
            "client",
            "имя отправителя",
            "отправитель",
            // `<strong>Від кого:</strong> Тарас` (a Ukrainian mail() letter), `От кого:`.
            "від кого",
            "от кого",
            "відправник",
            "ім я",
            "ваше ім я",
            "імя",
            // `І'мя` (the apostrophe after the first letter, a Ukrainian handler's typo).
            "і мя",
            "ім'я та прізвище",
            "піб",
            "ваше піб",
            "от пользователя с именем",
            "автор отзыва",
            "автор сообщения",
            "автор вопроса",
            "imya",
            "vashe imya",
            // Widened from public form sources (round 6, see the sources
            // note above KEYWORDS): e107 lan_contact, p01contact, OpenCart
            // callback modules, Joostina uk, DTL, refugee feedback (uk),
            // mvnForum contact template, getwebspace uk forms.
            "представьтесь",
            "представтесь",
            "назовите себя",
            "назвіть себе",
            "ваше имя и отчество",
            "имя и отчество",
            "фамилия имя",
            "фамилия имя отчество",
            "фамилия и имя",
            "ваши фамилия и имя",
            "заявитель",
            "заявник",
            // A help desk's ticket notice: `Requester: Имя (a@x.ru)`
            // (Freshdesk's new-ticket notice).
            "requester",
            "requester name",
            // GLPI's `Requesters : Имя` and Trudesk's `Ticket Submitted by:
            // Имя` in their agent notices on a new ticket (round 28c).
            "requesters",
            // Redmine's issue mail: `* Author: Имя` (`Anonymous` when the
            // issue came from a form or an unknown sender: no name).
            "author",
            "submitted by",
            "ticket submitted by",
            "контактна особа",
            "ім я та по батькові",
            "прізвище та ім я",
            "прізвище ім я",
            "прізвище ім я по батькові",
            "ваше повне ім я",
            "customer",
            // Calendly's `Invitee:` over the booker's name, Bnovo's `Гость:`
            // over the guest's (round 29e).
            "invitee",
            "гость",
            "гість",
            // Easy Digital Downloads' sale notice: `Purchased by:  Имя`.
            "purchased by",
            "customer name",
            "customer data",
            "данные клиента",
            "дані клієнта",
            "contact person",
            "your first name",
            "name and surname",
            "full name and surname",
            "imia",
            "im ya",
            "imja",
            // Snow Monkey Forms prints field names (`fullname: `), not captions.
            "fullname",
            "your fullname",
            // Product-question modules name the asker in a sentence-style
            // caption (Magento 2 Internship_ProductQuestion: `Question from:`).
            "question from",
            "enquiry from",
            "inquiry from",
        ],
    ),
    (
        "last_name",
        &[
            "lname",
            "last name",
            "lastname",
            "surname",
            "фамилия",
            "ваша фамилия",
            "прізвище",
            "ваше прізвище",
            "family name",
            "your last name",
            "familiya",
            "familia",
            "prizvyshche",
            "nachname",
        ],
    ),
    (
        "middle_name",
        &[
            "отчество",
            "middle name",
            "по батькові",
            "ваше отчество",
            "otchestvo",
        ],
    ),
    (
        "phone",
        &[
            "phone",
            "phone number",
            "your phone",
            "your-phone",
            "tel",
            "telephone",
            "mobile",
            "телефон",
            "ваш телефон",
            "номер телефона",
            "ваш номер телефона",
            "контактный телефон",
            "телефон для связи",
            "мобильный",
            "мобильный телефон",
            "моб",
            "тел",
            "контакт",
            "доп телефон",
            "дополнительный телефон",
            "whatsapp",
            "ma_phone",
            "telefon",
            "phone_number",
            "contact number",
            "mobile number",
            "mobile phone",
            "cell",
            "cell phone",
            "phone no",
            "тел моб",
            "номер",
            "viber",
            "телефон или whatsapp",
            "моб телефон",
            "моб тел",
            "контактный номер",
            "номер для связи",
            "ваш номер",
            "номер телефону",
            "ваш номер телефону",
            "контактний телефон",
            "телефон для зв язку",
            "мобільний",
            "мобільний телефон",
            "вайбер",
            "whatsapp viber",
            "viber whatsapp",
            "telephone number",
            "tel no",
            "mobile no",
            "cell number",
            "your mobile",
            "your telephone",
            "nomer telefona",
            "nomer",
        ],
    ),
    (
        "email",
        &[
            "message from",
            "email",
            "e mail",
            "your email",
            "your-email",
            "email address",
            "почта",
            "эл почта",
            "электронная почта",
            "ваша почта",
            "ваш e mail",
            "ваш email",
            "e mail автора",
            "адрес электронной почты",
            "ma_email",
            "mail",
            "e_mail",
            "your e mail",
            "email адрес",
            "ваш электронный адрес",
            "электронный адрес",
            "ваша электронная почта",
            "ваш емейл",
            "емейл",
            "имейл",
            "e mail адрес",
            "адрес эл почты",
            "контактный email",
            "контактний email",
            "електронна пошта",
            "ваша електронна пошта",
            "адреса електронної пошти",
            "email адреса",
            "ваш e mail адрес",
            "your email address",
            "e mail address",
            "pochta",
            "elektronnaya pochta",
        ],
    ),
    (
        "message",
        &[
            "message",
            "message body",
            // Shopify's contact form posts the text as `contact[body]`; its
            // staff mail prints the key capitalised: `Body:`.
            "body",
            // `${name}, email: …, phone number …, says: ${message}` (a
            // Firebase handler's one sentence, round 25c).
            "says",
            "nachricht",
            // Zend Framework forms posting German keys (`beschreibung:…`).
            "beschreibung",
            "customer message",
            "frage",
            "kommentar",
            "повідомлення",
            "ваше повідомлення",
            "коментар",
            "your message",
            "your-message",
            "comment",
            "comments",
            "how can we help",
            // A builder's default caption for an unlabelled textarea
            // (Balbooa Forms' `Textarea`): not the keyword `area`.
            "textarea",
            // Trudesk's new-ticket mail: `Ticket Issue` over the client's text.
            "ticket issue",
            "сообщение",
            "ваше сообщение",
            "текст сообщения",
            "комментарий",
            "комментарии",
            "ваш комментарий",
            "комментарий к заявке",
            "описание",
            "вопрос",
            "ваш вопрос",
            "пожелания",
            "примечание",
            "текст",
            "задача",
            "msg",
            "text",
            "question",
            "your question",
            "enquiry",
            "inquiry",
            "question query",
            // `Question content is: …` (Magento 2 Internship_ProductQuestion).
            "question content",
            "question content is",
            "query",
            "content",
            "your enquiry",
            "your inquiry",
            "message text",
            "details",
            // WP Booking Calendar's default booking form (round 16b).
            "подробности",
            "детали",
            "деталі",
            "подробиці",
            "project details",
            "комментарий к заказу",
            "ваше обращение",
            "обращение",
            "суть обращения",
            "текст обращения",
            "текст заявки",
            "текст письма",
            "текст вашего письма",
            "ваше письмо",
            "дополнительная информация",
            // Buy One Click WooCommerce's free field under its English msgid
            // (`Additionally`; `Дополнительно` is read by keyword).
            "additionally",
            "kommentariy",
            "kommentarii",
            "soobshchenie",
            "soobschenie",
            "vopros",
            "запрос",
            "ваш запрос",
            "запит",
            "ваш запит",
            "project description",
            "суть вопроса",
            "описание задачи",
            "текст вопроса",
            "текст повідомлення",
            "ваше питання",
            "питання",
            "запитання",
            "коментарі",
            "ваш коментар",
            "коментар до замовлення",
            "побажання",
            "примітка",
            "додаткова інформація",
            "опис",
            "суть звернення",
            "звернення",
            "comment or message",
            "comments or questions",
            "questions or comments",
            // Calendly's `Questions:` over the invitee's answers (the
            // question's own line is dropped, see `extract::answers_only`).
            "questions",
            "additional comments",
            "additional notes",
            // Salon Booking System's caption over the booker's note.
            "customer notes",
            "additional details",
            "notes",
            "your request",
            "special requests",
            "requirements",
            "tell us about your project",
            "soobshenie",
            "komentar",
            "povidomlennya",
        ],
    ),
    (
        // Transliterated field keys of the measurement date (Convert Forms'
        // `Data_zamera`, the key printed with ucfirst; round 29b).
        "visit_time",
        &[
            "data zamera",
            "vremya zamera",
            "data i vremya zamera",
            "data zamira",
        ],
    ),
    (
        "address",
        &[
            "address",
            "адрес",
            "адрес объекта",
            "адрес замера",
            "адрес для замера",
            "адрес доставки",
            "адрес установки",
            "город",
            "район",
            "населенный пункт",
            "city",
            "ваш город",
            "адрес объекта замера",
            "location",
            "your location",
            "adres",
            "adres obekta",
            "adres zamera",
            "адреса",
            "ваша адреса",
            "адреса об єкта",
            "місто",
            "ваше місто",
            "населений пункт",
            "почтовый адрес",
            "поштова адреса",
            "postal address",
            "mailing address",
            "street address",
            "your address",
            "city state",
            "town",
            "gorod",
            "adresa",
            "misto",
            // A lead platform's job card gives the job's postcode alone
            // (`ZIP Code: 60614`, Angi, HomeAdvisor, Google LSA; `Postcode`,
            // Bark): where the work is, when no street is written (round 28b).
            "zip code",
            "zip",
            "zipcode",
            "postcode",
            "postal code",
            // A shop's address card split in rows (JoomShopping's `Улица/Номер
            // дома:`, `Почтовый индекс:`; round 29b): `номер` names the house
            // here, not a phone.
            "улица номер дома",
            "улица и номер дома",
            "улица",
            "номер дома",
            "почтовый индекс",
            "вулиця",
        ],
    ),
    (
        "page",
        &[
            "page url",
            // LiveChat's transcript: the page the visitor opened the chat on.
            "chat started on",
            "page",
            "referer",
            "referrer",
            "url",
            "url страницы",
            "адрес страницы",
            "страница",
            "страница отправки",
            "страница сайта",
            "с сайта",
            "с страницы",
            "со страницы",
            "ссылка на страницу",
            "tildaspec referer",
            "_url",
            "pageurl",
            "page_url",
            "url_page",
            "source url",
            "form url",
            "referer url",
            "referrer url",
            "submitted from",
            "sent from page",
            // WP Pro Real Estate 7's listing widget: `Permalink: https://…`.
            "permalink",
            // A shop's one-click order row linking the product page (Buy One
            // Click WooCommerce's `Link to the product: <a>Look</a>`; the
            // `product` keyword would take the address as the product).
            "link to the product",
            "link to product",
            "product link",
            // A classifieds' link back to the ad the client wrote about
            // (OLX's `Переглянути оголошення: https://…`).
            "посмотреть объявление",
            "ссылка на объявление",
            "переглянути оголошення",
            "посилання на оголошення",
            "view listing",
            "view ad",
            "отправлено со страницы",
            "заявка со страницы",
            "адрес страницы с формой",
            "сторінка",
            "адреса сторінки",
            "посилання на сторінку",
            "landing page",
            "referral link",
            "referral url",
            // cformsII's header `Via: {Page}` (the page the form was sent from).
            "via",
            // Moodle local_contact's footer `Web Form: <a>referer</a>`.
            "web form",
        ],
    ),
    (
        "form",
        &[
            "form name",
            "form",
            "formname",
            // Apostrophe forms' heading `New submission to form: X`, as the
            // text part's html-to-text writes it (round 25g).
            "new submission to form",
            "submission to form",
            "форма",
            "название формы",
            "имя формы",
            "квиз",
            "quiz",
            "виджет",
            "form title",
            "form id",
            "formid",
            "form_id",
            "название формы заявки",
            "тип формы",
            "тип заявки",
            "назва форми",
            // Bitrix24's CRM-form result notice: `CRM-форма: Обратный звонок`.
            "crm форма",
            "crm форми",
            "crm form",
            // LiveAgent's ticket from a contact form: `Contact form: Контакты`
            // under the visitor's fields (round 28d).
            "contact form",
        ],
    ),
    (
        "request_id",
        &[
            "request id",
            "transaction id",
            "order",
            "order #",
            "id ответа",
            "результат",
            "номер заявки",
            "tranid",
            "entry id",
            "submission id",
            "номер обращения",
            "id заявки",
        ],
    ),
    (
        "referral",
        &[
            "how did you hear about us",
            "откуда вы узнали о нас",
            "откуда вы о нас узнали",
            "откуда узнали о нас",
            "откуда узнали",
            "как вы о нас узнали",
            "как вы узнали о нас",
            "источник",
        ],
    ),
    // JBZoo catalogue items and shop exports: `Наименование: Беседка 3х4`;
    // real-estate themes' agent forms: `Property: Дом 120 м²` (Realty).
    // A school's course enquiry (`Course:`, `Выбранный курс`) and a dealer's
    // inventory enquiry (`Inventory Item:`, Trailer Central) name the thing
    // asked about (round 22c; exact labels, so no keyword pass per label).
    (
        "product",
        &[
            "наименование",
            "наименование товара",
            // Bitrix's catalogue item (`Элемент: Шкаф-купе …`, a form event
            // about one catalogue element).
            "элемент",
            // Kwes Forms sites' select `You'd like info about` posted as `About`.
            "about",
            "property",
            "listing",
            "course",
            "course name",
            "selected course",
            "курс",
            "выбранный курс",
            "выберите курс",
            "название курса",
            "обраний курс",
            "назва курсу",
            "item",
            "inventory item",
            "part item",
            // Hotel booking plugins (MotoPress Hotel Booking's `Accommodation:
            // Шале Смерека`): the room booked is what the client wants.
            "accommodation",
            "accommodation type",
            "room type",
            "тип номера",
            "категория номера",
            "тип номеру",
            "категорія номеру",
            // HotelDruid's `Rate: Баня на дровах (6,500 RUB)` (the owner's
            // rate names the room type booked; round 29e).
            "rate",
            "тариф",
            // Transliterated keys of a form whose editor named the fields in
            // Latin letters (Apostrophe forms' `uslugi`, round 25g).
            "uslugi",
            "usluga",
            "vid uslugi",
            "poslugi",
            "posluga",
            // A landing's packages (`Пакет: "Баня 6×4 под ключ"`, a Nuxt
            // route's text body): the package chosen is what is ordered.
            "пакет",
            "выбранный пакет",
            "пакет услуг",
            "package",
            "selected package",
            // A Bitrix order form's `Состав заказа:` (Aspro solutions' order
            // page): the goods listed are what the client orders (round 26f).
            "состав заказа",
            // A lead platform's job card names the job the client posted
            // (`Job Category: Roofing`, `Job Type: Unclog Drain`, Angi;
            // `Project: Kitchen cabinet refacing`, Yelp; `Task: Install
            // Gutters`, HomeAdvisor): what the client wants done (round 28b).
            "job category",
            "job type",
            "project",
            "project type",
            "task",
            "service requested",
            "service needed",
            "service type",
        ],
    ),
    // A job board's `Cover Letter:`: the applicant's own text (round 22c).
    (
        "message",
        &[
            "cover letter",
            "сопроводительное письмо",
            "супровідний лист",
        ],
    ),
    ("utm_source", &["utm_source", "utm source"]),
    ("utm_medium", &["utm_medium", "utm medium"]),
    ("utm_campaign", &["utm_campaign", "utm campaign"]),
    ("utm_content", &["utm_content", "utm content"]),
    ("utm_term", &["utm_term", "utm term"]),
    (
        "ip",
        &[
            "remote ip",
            "ip",
            "ip адрес",
            "удаленный ip",
            "ip address",
            "host address",
            "host",
            "hostname",
            "ip адреса",
            "адрес ip",
            "sender ip",
            "client ip",
            "user ip",
            "visitor ip",
            "your ip",
            "ipv4 ipv6",
            "ip клиента",
            "ip пользователя",
            "ip отправителя",
        ],
    ),
    (
        "meta",
        &[
            // An order's or booking's sum is the site's figure (MotoPress
            // Appointment's `Total price: 0 ₽` under the client's notes).
            "total",
            "total price",
            // A help desk's own lines about the ticket (round 28c: Trudesk,
            // GLPI, Request Tracker, Redmine): the queue, its state and the
            // agent, never the client's words.
            "ticket group",
            "ticket type",
            "ticket priority",
            "submitted date",
            "tags",
            "priority",
            "status",
            "queue",
            "urgency",
            "impact",
            "request source",
            "opening date",
            "closing date",
            "assignee",
            "owner",
            "number of followups",
            "number of tasks",
            "итого",
            "сумма заказа",
            "разом",
            "date",
            "time",
            "дата",
            "время",
            "время заявки",
            "дата заявки",
            "дата и время",
            // Cal.com's `When` over the booked slot (read as the visit time
            // in a mail about a booking, see `booked_slot`).
            "when",
            "user agent",
            "агент пользователя",
            // A lead-ad platform's own keys (Facebook Lead Ads via Zapier or
            // Make): the advertiser's ad and campaign, never the client's.
            "ad name",
            "adset name",
            "campaign name",
            "ad id",
            "adset id",
            "campaign id",
            "created time",
            "powered by",
            "работает на",
            "page title",
            "заголовок страницы",
            "block id",
            "посетитель",
            "сессия",
            "пользователь",
            "тема",
            "subject",
            "betreff",
            "скидка",
            "бонус",
            "подарок",
            "месторасположение клиента",
            "местоположение",
            "геолокация",
            "регион по ip",
            "request information",
            "request details",
            // A section's title (Appointment Hour Booking's over `IP:` and
            // `Server Time:`); Bookeo's one-line note beside it is the
            // message (see `extract::note_beside_section_title`).
            "additional information",
            "purchaser information",
            "просмотреть",
            "посмотреть",
            "view",
            "payment system",
            "payment amount",
            "согласие",
            "согласие на обработку персональных данных",
            "checkbox",
            "yclid",
            "gclid",
            "_ym_uid",
            "roistat",
            "cookies",
            "новая заявка",
            "для просмотра воспользуйтесь ссылкой",
            "тема вопроса",
            "тема обращения",
            "тема сообщения",
            "тема письма",
            "дата отзыва",
            "тема повідомлення",
            "тема звернення",
            "тема питання",
            "тема заявки",
            "агент користувача",
            "браузер",
            "browser",
            "дата отправки",
            "время отправки",
            "дата и время отправки",
            "дата та час",
            "дата і час",
            "дата відправлення",
            "submitted on",
            "submission date",
            "date submitted",
            "entry date",
            "date and time",
            "timestamp",
            "user agent browser os",
            "user information",
            "date of submission",
            "submission time",
            "отправлено",
            "время отправления",
            "дата заполнения",
            "час відправлення",
            "дата подачи заявки",
            // Bitrix web-form mail templates close with `Запрос отправлен:
            // DATE` (Aspro solutions, round 26f): the submission time, not the
            // client's request.
            "запрос отправлен",
            // Fox Contact's admin mail closes its field list with the site's
            // own rows: the site's name and the visitor's device, system and
            // browser (the page and the IP have their own entries).
            "site name",
            "sitename",
            // A chat desk's routing rows (Tiledesk's `Project name : Окна`,
            // `Department name : Default`, round 28d): the account's project
            // and queue, never the client's name.
            "project name",
            "department name",
            "название отдела",
            "назва відділу",
            "название сайта",
            "назва сайту",
            "client device",
            "client operating system",
            "client browser",
            "устройство",
            "операционная система",
            // Call-tracking and call-back widgets' rows (Callkeeper, Roistat,
            // Callibri): the visitor's search phrase, the analytics visit
            // number and the IP's city are the service's tracking, not what
            // the client wrote (`Поисковый запрос: натяжные потолки цена`).
            "поисковый запрос",
            "поисковая фраза",
            "ключевое слово",
            "ключевая фраза",
            "пошуковий запит",
            "ключове слово",
            "search query",
            "search term",
            "keyword",
            "keywords",
            "номер визита",
            "город по ip",
            "місто за ip",
            // Missed-call notices of PBXs and call trackers (round 25e:
            // Calltouch, UIS, Mango Office, Zadarma, Binotel, Ringostat,
            // Bitrix24): the business's own line the client dialled, never
            // the client's number (`Виртуальный номер: 7343…`, `Кому: 7499…`).
            "на номер",
            "номер отслеживания",
            "виртуальный номер",
            "віртуальний номер",
            "номер подмены",
            "номер підміни",
            "подменный номер",
            "tracking number",
            "на линию",
            "линия",
            "лінія",
            "на лінію",
            "кому",
            "to",
        ],
    ),
];

/// Keyword patterns for labels no exact entry knows, tried in order:
/// (canonical, label must match, label must not match).
///
/// Round 6 widened these (and the exact table) from labels real forms
/// print, mined from public code: OpenCart `catalog/language/ru*/…`
/// contact and callback modules (kuptservol/TreeKids, zapleoceo/wallishcompany,
/// xakernaoffe/ghostly-fog, Wadamir/oxyo, phpner/shlack, Trojan86/kavkaz),
/// e107translations/Russian `lan_contact.php`, nliautaud/p01contact `lang/ru.php`,
/// Joostina uk `com_contact.php` / `bot_user_contacts.php` (abasia/Joostina-1.3.2),
/// XoopsLanguages/ukrainian `xforms/main.php`, Piwigo/ContactForm `uk_UA`,
/// developer-2000/refugee `lang/uk/pages/feedback.php`, DoktorMc/DTL and
/// maks-pekur/business-incubator contact-form dictionaries, hand-written
/// `mail.php` handlers (Detkovskiy/tractors, ituniqteam/our-website,
/// iconica-site/samara), OpenCart uk contact pages (mekasp/shisha,
/// stunnerboyone/ecokray), Django uk contact forms, gatsby-starter-ample
/// and Gravity Forms field lists, justwpforms and WNSForms e-mail templates (IP,
/// referrer, date lines), mvnForum contact template. The site's own contacts
/// (a manager's phone, an administrator's or recipient's e-mail, a company
/// name) are excluded so they never become the client's.
const KEYWORDS: &[(&str, &str, &str)] = &[
    ("utm_source", r"^utm\s*source", ""),
    ("utm_medium", r"^utm\s*medium", ""),
    ("utm_campaign", r"^utm\s*campaign", ""),
    ("utm_content", r"^utm\s*content", ""),
    ("utm_term", r"^utm\s*term", ""),
    (
        "ip",
        // `IP адрес, с которого было отправлено письмо` (LiveStreet's feedback,
        // also its uk/en skins): the IP's caption as a sentence, not a message.
        r"^(from )?(ip|айпи)( адрес\w*| address)?( (клиента|пользователя|отправителя|посетителя|користувача|відправника|відвідувача))?$|^(remote|client|sender|user|visitor|your|submitter|віддалений|удаленный) ip( address)?$|^ipv[46]\b|^ip (адрес\w*|address) (с|з|from) (которо|якої|якого|which)|\bip address hostname$",
        "",
    ),
    (
        "page",
        // `Hidden #7` (ChronoForms' caption for a hidden field): only a full
        // URL in it is taken as the page, as for every page label.
        r"страниц|сторінк|\burl\b|refer+er|реферер|^с сайта|\bpage\b|\bссылк|\bпосилан|submitted (at|from)|sent from|^hidden #",
        // `Ссылка на найденный товар` ('Нашли дешевле' modules): the link the
        // client found elsewhere, not the page the form was sent from; nor
        // is `Ссылка на проект` / `фото` / `макет` / `Link to your design`
        // (a URL field of SureForms and the like): the client's own file.
        "заголов|title|найден|знайден|конкурент|competitor|дешевл|дешевш|cheaper|проект|project|фото|photo|макет|чертеж|чертёж|креслен|дизайн|design|файл|\\bfile|видео|відео|video|диск\\b|drive",
    ),
    (
        "email",
        r"e\s?mail|почт|пошт|емейл|имейл|імейл|емайл|е ?мейл|е ?mail|\bmail\b",
        r"почтов|поштов|администрат|адміністрат|\badmin|менеджер|manager|получател|отримувач|одержувач|recipient|\bнаш|\bour\b|компани|компані|company|офис|офіс|office",
    ),
    (
        "form",
        r"^((название|имя) )?(форм[аыу]?|квиз)( заявки| обратной связи| на сайте)?$|^(название|имя|назва) (форм|квиз|квіз)|form name|quiz",
        "",
    ),
    (
        "request_id",
        r"^(номер|id)\s+(заявки|ответа|заказа|запроса|запиту|обращения|звернення|замовлення)|\bid\b",
        "",
    ),
    ("referral", r"откуда|узнали|hear about|как вы нашли", ""),
    (
        "visit_time",
        r"(дата|время|день|когда).*замер|замер\w*.*(дата|время|день)|(удобн|желаем|предпочтительн)\w*\s+(дата|время|день)|когда (приехать|подъехать)|visit(ing)?\b|дата визита|время визита|(дата|час|день|коли).*замір|замір\w*.*(дата|час|день)|(зручн|бажан)\w*\s+(дата|час|день)|^(requested|appointment|booking) (date|time)",
        r"звон|заявк|создан|отправ|рожден|сайт|website|\bsite\b|дзвін|дзвон|зателефон|заявц|відправ|створ|народж",
    ),
    (
        "phone",
        r"телефон|phone|\bтел\b|\btel\b|мобильн|мобільн|\bmobile\b|\bmobil\b|\bcell\b|whatsapp|ватсап|вацап|viber|вайбер|\bномер\b",
        r"наш|заказ|договор|инн|карт|компани|компані|офис|офіс|менеджер|сайта|сайту|организаци|організац|администрат|адміністрат|магазин|замовлен|факс|\bfax\b|\bour\b|office|company|manager|support|поддержк|підтримк|телефонуй|телефонир",
    ),
    (
        "last_name",
        r"фамили|прізвищ|last name|surname|family name",
        r"имя|ім я|імя|first",
    ),
    (
        "name",
        r"\bимя\b|\bфио\b|\bname\b|контактное лицо|как (к вам обращаться|вас зовут)|\bім я\b|\bімя\b|\bпіб\b|контактна особа|contact person|представ(ьтесь|тесь)",
        r"форм|сайт|компани|компані|организац|організац|file|файл|получател|отримувач|одержувач|recipient|менеджер|manager|company|organi[sz]ation|business|product|товар|website|\bsite\b|domain|домен|project|проект|username|login|логин|логін",
    ),
    (
        "address",
        r"адрес|address|\bгород|місто|міста|улиц|вулиц|населен|участ|^где\b|^куда\b|\bcity\b|\bstreet\b|\btown\b",
        // `Город вылета: Омск` (a tour form): where the flight leaves from,
        // not where the client wants the work done.
        r"страниц|сторінк|почт|пошт|mail|электрон|електрон|сайт|\bip\b|website|\bweb\b|площад|размер|узнал|отправ|відправ|присл|связ|зв я|звон|дзвон|вылет|виліт|вильот|departure",
    ),
    (
        "scope",
        r"площад|размер|razmer|габарит|длин|ширин|высот|количеств|сколько|кол во|объем|метраж|\bм2\b|м²|\bкв м\b|area|size|square (met|feet|foot)|\bsq m\b|\bsqm\b|\bплощ[аіу]\b|довжин|висот|розмір|кількіст|скільки|\bобсяг|length|width|height|\bhow (long is|big|large|many)\b",
        // `Количество взрослых: 2`, `Количество ночей: 7`, `Кількість
        // пасажирів: 3` (booking and tour forms): a head count or a stay's
        // length, not the size of a job.
        r"стои|цен|бюджет|сто?ит|взросл|\bдет(ей|и)\b|\bребен|\bгост(ей|и|я)\b|\bчеловек|\bперсон|пасс?ажир|\bноч(ей|и)\b|\bсут(ок|ки)\b|доросл|\bдіт(ей|и)\b|\bосіб\b|\b(adults?|child(ren)?|kids|guests?|people|persons?|passengers?|nights?|travell?ers?)\b",
    ),
    (
        "product",
        r"^(потол|окн|двер|кухн|шкаф|мебел|лестниц|балкон|ламинат|жалюз|рольстав|ворот|забор|памятник|натяжн)[а-я]*$|интерес|^услуг|^послуг|^продукт|interested in|^(выбранн\w*|интересующ\w*|нужн\w*|ваш\w*|обран\w*|потрібн\w*|бажан\w*) (услуг|послуг|товар|продукт)|^(выбран\w*|обран\w*) (потол|окн|двер|кухн|шкаф|балкон|ворот|забор|стел|вікн|парка)[а-яії]*$|^что\b|^що\b|^как(ой|ая|ие|ое|ую)\b|^тип\b|^вид\b|продукц|товар|модел|категори|^проект\b|^издели|^форма [а-я]+$|product|service|what do you need|^як(ий|а|е|і|у)\b|^(roof|roofing|window|door|ceiling|fence|kitchen|furniture|product|service) (type|kind|model)$",
        r"^(что|що) (ещ[её]|ще)\b|обсуд|узнать|спросить|обращени|звернен|ссылк|посилан|найден|знайден|конкурент|оплат|\bдом\b|дома\b|помещени|район|срок|когда|бюджет|связ|отправ|звон|врем|дат|квартир|этаж|скидк|подар|объект|участ|будин|приміщ|термін|\bколи\b|знижк|поверх|зв язат|дзвон|надісл",
    ),
    (
        "message",
        r"^(что|що) (ещ[её]|ще)\b|обсуд|узнать|спросить|anything else|коммент|сообщени|вопрос|описани|опиш|\bзадач|пожелани|примечани|message|comment|how can we help|describe|tell us|уточнени|дополнительн|повідомлен|коментар|питанн|запитан|\bопис|побажан|примітк|звернен|обращени|додатков|enquir|inquir|\bnotes?\b|^(ваш )?(запрос|запит)\b|\bdescription\b",
        // `Сообщение с сайта - Забор63`, `На сайте X появился новый вопрос:`:
        // the handler's heading or sentence, not a field the client filled.
        r"\bтем[аыуи]\b|\bsubject\b|^тип\b|^вид\b|^номер\b|\bid\b|\b(с|з) сайт(а|у)\b|\bfrom (the )?(web)?site\b|^на сайт[еі]\b|\bпоявил(ся|ась|ось|ись)\b",
    ),
];

const TITLES: [&str; 14] = [
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "herr",
    "frau",
    "г-н",
    "г-жа",
    "гн",
    "госпожа",
    "господин",
    "пані",
];

/// `Mr.` alone: a salutation with no name after it.
pub(crate) fn bare_title(n: &str) -> bool {
    let t = n.trim().trim_end_matches('.');
    // The longest title is eight Cyrillic letters (16 bytes).
    t.len() <= 16 && TITLES.contains(&t.to_lowercase().as_str())
}

/// The length of a question's number before its caption: `1. `, `12) `
/// (a survey's numbered questions: `1. Как к вам обращаться?`), spaces
/// after it included; 0 when the label has none. Bytes only: no allocation.
pub fn item_number_len(label: &str) -> usize {
    let b = label.as_bytes();
    let digits = b.iter().take(3).take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&digits) || !matches!(b.get(digits), Some(b'.' | b')')) {
        return 0;
    }
    let spaces = b[digits + 1..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    // The caption itself must follow: a letter, not another digit
    // (`1. 5 м`, a value) or nothing.
    match label[digits + 1 + spaces..].chars().next() {
        Some(c) if spaces > 0 && c.is_alphabetic() => digits + 1 + spaces,
        _ => 0,
    }
}

/// Normalises a label for comparison: lower case, `ё` → `е`, punctuation and
/// `_` → space, runs of spaces folded, trimmed (so trailing `*:?` vanish).
/// A question's number before the caption (`1. Как к вам обращаться?`) is
/// no part of it.
pub fn normalize_label(label: &str) -> String {
    let label = label.trim_start();
    let label = &label[item_number_len(label)..];
    let mut out = String::with_capacity(label.len());
    let mut space = false;
    for ch in label.chars() {
        // ASCII and the Russian alphabet first: labels are almost always
        // these, and the general Unicode tables are slow to consult.
        let c = match ch {
            'ё' | 'Ё' => 'е',
            // The Ukrainian apostrophe letter (імʼя) is punctuation here.
            'ʼ' => ' ',
            '_' | '-' => ' ',
            'a'..='z' | '0'..='9' | 'а'..='я' | '#' => ch,
            'A'..='Z' => ch.to_ascii_lowercase(),
            'А'..='Я' => char::from_u32(ch as u32 + 32).unwrap_or(ch),
            c if c.is_alphanumeric() || c == '²' => c,
            _ => ' ',
        };
        if c == ' ' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c.is_ascii() || ('а'..='я').contains(&c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

static EXACT: LazyLock<FxHashMap<String, &'static str>> = LazyLock::new(|| {
    let mut m = FxHashMap::default();
    for (canon, labels) in LABELS {
        for l in *labels {
            m.entry(normalize_label(l)).or_insert(*canon);
        }
    }
    m
});

/// Keyword patterns compiled once: one [`crate::re::PatternSet`] pass finds every include
/// that matches; excludes are checked only for those, in table order.
struct Keywords {
    include: crate::re::PatternSet,
    exclude: Vec<Option<Regex>>,
}

static KEYWORD_RES: LazyLock<Option<Keywords>> = LazyLock::new(|| {
    // Normalised labels separate words with single spaces: a plain boundary
    // keeps the fast DFA (Unicode `\b` would not).
    // Unicode `\w` (~700 ranges) swells the NFA and the lazy DFA's cache;
    // labels are normalised to Russian, Ukrainian and Latin lower case.
    let fast = |p: &str| {
        p.replace(r"\b", "(?:^|$| )")
            .replace(r"\w", "[0-9_a-zа-яёіїєґў]")
    };
    let include = crate::re::PatternSet::new(KEYWORDS.iter().map(|(_, inc, _)| fast(inc))).ok()?;
    let mut exclude = Vec::with_capacity(KEYWORDS.len());
    for (_, _, exc) in KEYWORDS {
        exclude.push(if exc.is_empty() {
            None
        } else {
            Some(crate::re::compile(&fast(exc)).ok()?)
        });
    }
    Some(Keywords { include, exclude })
});

/// The canonical field of a normalised label from the shared dictionary:
/// exact labels first, then keyword patterns. `None` for unknown labels.
pub fn lookup(normalized: &str) -> Option<&'static str> {
    if normalized.is_empty() {
        return None;
    }
    if let Some(c) = EXACT.get(normalized) {
        return Some(c);
    }
    // Very long "labels" are sentences, not captions.
    if normalized.len() > 160 {
        return None;
    }
    let kw = KEYWORD_RES.as_ref()?;
    kw.include
        .matches(normalized)
        .into_iter()
        .find(|&i| {
            !kw.exclude
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|e| e.is_match(normalized))
        })
        .and_then(|i| KEYWORDS.get(i).map(|k| k.0))
}

/// The canonical field of a normalised label the dictionary lists word for
/// word (no keyword pattern): `sent from page` → page.
pub fn exact(normalized: &str) -> Option<&'static str> {
    EXACT.get(normalized).copied()
}

/// Which shared entry knows a normalised label (for `parse --explain`):
/// the exact label, or the keyword pattern that matched.
pub fn explain(normalized: &str) -> Option<String> {
    let canon = lookup(normalized)?;
    if EXACT.contains_key(normalized) {
        return Some(format!("dictionary label «{normalized}» → {canon}"));
    }
    let pat = KEYWORDS
        .iter()
        .find(|(c, inc, _)| {
            *c == canon
                && crate::re::compile(&inc.replace(r"\b", "(?:^|$| )"))
                    .is_ok_and(|r| r.is_match(normalized))
        })
        .map_or("", |k| k.1);
    Some(format!("dictionary keyword /{pat}/ → {canon}"))
}

/// Every shipped exact label, for docs and tests.
pub fn labels() -> impl Iterator<Item = (&'static str, &'static str)> {
    LABELS
        .iter()
        .flat_map(|(c, ls)| ls.iter().map(move |l| (*c, *l)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_questions_number_is_no_part_of_its_label() {
        // Round 29d: a survey's numbered questions.
        assert_eq!(
            normalize_label("1. Как к вам обращаться?"),
            "как к вам обращаться"
        );
        assert_eq!(normalize_label("12) Ваш телефон:"), "ваш телефон");
        assert_eq!(
            lookup(&normalize_label("2. Ваш номер телефона")),
            Some("phone")
        );
        // Not a number before a caption: a value, a size, a year.
        for l in ["1. 5 м", "123. Имя", "1.Имя", "2026 год", "1.5 м"] {
            assert_eq!(item_number_len(l), 0, "{l}");
        }
        assert_eq!(item_number_len("1. Имя"), 3);
    }

    #[test]
    fn normalizes_tilda_and_punctuation() {
        assert_eq!(normalize_label("Адрес_замера:"), "адрес замера");
        assert_eq!(normalize_label(" E-mail автора* "), "e mail автора");
        assert_eq!(
            normalize_label("Откуда вы о нас узнали?"),
            "откуда вы о нас узнали"
        );
        assert_eq!(normalize_label("Удалённый IP"), "удаленный ip");
    }

    #[test]
    fn exact_and_keyword_lookup() {
        let l = |s: &str| lookup(&normalize_label(s));
        assert_eq!(l("Ваше имя"), Some("name"));
        assert_eq!(l("Адрес страницы"), Some("page"));
        assert_eq!(l("Адрес_замера"), Some("address"));
        assert_eq!(l("Какой потолок вас интересует?"), Some("product"));
        assert_eq!(l("Тип дома"), None);
        assert_eq!(l("Сколько окон нужно?"), Some("scope"));
        assert_eq!(l("Удобное_время"), Some("visit_time"));
        // Round 29b: a transliterated key, and a shop's street/house row.
        assert_eq!(l("Data_zamera"), Some("visit_time"));
        assert_eq!(l("Улица/Номер дома"), Some("address"));
        assert_eq!(l("Почтовый индекс"), Some("address"));
        // A chat's visitor block: `Visitor:` names them, `Chat started on:`
        // is the page; `visitor…` in a sentence is no visit.
        assert_eq!(l("Visitor"), Some("name"));
        assert_eq!(l("Chat started on"), Some("page"));
        assert_eq!(l("Visit date"), Some("visit_time"));
        assert_ne!(
            l("visitor8312 sent you a message on Кровля"),
            Some("visit_time")
        );
        assert_ne!(l("Reply to visitor8312"), Some("visit_time"));
        assert_eq!(l("Удобное время для звонка"), None);
        assert_eq!(l("Когда удобно принять замерщика"), Some("visit_time"));
        assert_eq!(l("Нужен бесплатный замер?"), None);
        assert_eq!(l("Время заявки"), Some("meta"));
        assert_eq!(l("Длина, см"), Some("scope"));
        // round 23a: Shopify's `Body:` and Webflow's English size captions.
        assert_eq!(l("Body"), Some("message"));
        assert_eq!(l("Fence Length"), Some("scope"));
        assert_eq!(l("Width, mm"), Some("scope"));
        assert_eq!(l("Что требуется"), Some("product"));
        assert_eq!(l("Страница отправки"), Some("page"));
        assert_eq!(l("Telegram"), None);
        assert_eq!(l("Желаемая дата"), Some("visit_time"));
        // `Start` / `Начало` alone is a CRM lead's start as often as an
        // appointment's (see `extract::booked_slot`).
        assert_eq!(l("Start"), None);
        assert_eq!(l("Ссылка на товар"), Some("page"));
        assert_eq!(l("Модель двери"), Some("product"));
        // round 24f: French `Nom :` (NestJS Handlebars), German form keys
        // `beschreibung` / `betreff` (Zend\\Mail `key:value<br>`).
        assert_eq!(l("Nom :"), Some("name"));
        assert_eq!(l("beschreibung"), Some("message"));
        assert_eq!(l("Organization"), None);
    }

    /// Round 6: labels mined from public form sources (see the note above
    /// `KEYWORDS`), each with the canonical field it must reach, exact or by
    /// keyword, and near-misses that name the site, a technical value or a
    /// topic and must never become the client's data.
    #[test]
    fn widened_vocabulary_from_real_forms() {
        let l = |s: &str| lookup(&normalize_label(s));
        let table: &[(&str, &str)] = &[
            // name
            ("Введите Имя", "name"),
            ("Введите ваше имя", "name"),
            ("Имя и отчество", "name"),
            ("Ваше имя и отчество", "name"),
            ("Фамилия Имя", "name"),
            ("Фамилия, имя, отчество", "name"),
            ("Представьтесь", "name"),
            ("Назовите себя", "name"),
            ("Назвіть себе", "name"),
            ("Заявитель", "name"),
            ("Заявник", "name"),
            ("Контактна особа", "name"),
            ("Контактное лицо", "name"),
            ("Ім'я та по батькові", "name"),
            ("Ім’я", "name"),
            ("Ваше ім’я:", "name"),
            ("Імʼя", "name"),
            ("Введіть ім'я", "name"),
            ("Ваше повне ім'я", "name"),
            ("Прізвище та ім'я", "name"),
            ("Прізвище, ім'я, по батькові", "name"),
            ("Ім'я контакту", "name"),
            ("ПІБ замовника", "name"),
            ("Full Name:", "name"),
            ("Customer", "name"),
            ("Customer name", "name"),
            ("Contact person", "name"),
            ("Your first name", "name"),
            ("Name and surname", "name"),
            ("imia", "name"),
            // last_name / middle_name
            ("Прізвище", "last_name"),
            ("Ваше прізвище", "last_name"),
            ("Ваша фамилия", "last_name"),
            ("Family name", "last_name"),
            ("Your last name", "last_name"),
            ("familiya", "last_name"),
            ("По батькові", "middle_name"),
            ("otchestvo", "middle_name"),
            // phone
            ("Моб. телефон", "phone"),
            ("Моб. тел.", "phone"),
            ("Контактный номер", "phone"),
            ("Номер для связи", "phone"),
            ("Ваш номер", "phone"),
            ("Введите номер телефона", "phone"),
            ("Номер телефону*", "phone"),
            ("Контактний телефон", "phone"),
            ("Телефон для зв'язку", "phone"),
            ("Мобільний:", "phone"),
            ("Мобільний телефон", "phone"),
            ("Телефоны", "phone"),
            ("Вайбер", "phone"),
            ("WhatsApp / Viber", "phone"),
            ("Telephone number", "phone"),
            ("Tel.", "phone"),
            ("Tel. no", "phone"),
            ("Mobile no.", "phone"),
            ("Mobile (optional)", "phone"),
            ("Cell number", "phone"),
            ("nomer telefona", "phone"),
            // email
            ("Введите свой адрес эл. почты", "email"),
            ("E-Mail Адрес:", "email"),
            ("Ваш емейл", "email"),
            ("Контактний email", "email"),
            ("Електронна пошта", "email"),
            ("Адреса електронної пошти", "email"),
            ("Email адреса контакту", "email"),
            ("Your e-mail address", "email"),
            ("pochta", "email"),
            // message
            ("Запрос:", "message"),
            ("Ваш запрос", "message"),
            ("Суть вопроса", "message"),
            // A survey tool's closing question (HeyForm, round 28e): what
            // else the client wants to say is their text, not a product.
            ("Что ещё нам стоит знать?", "message"),
            ("Що ще нам варто знати?", "message"),
            ("Anything else we should know?", "message"),
            ("Суть обращения", "message"),
            ("Описание задачи", "message"),
            ("Текст обращения", "message"),
            ("Текст письма", "message"),
            ("Текст повідомлення", "message"),
            ("Ваше повідомлення...", "message"),
            ("Ваше питання", "message"),
            ("Запитання", "message"),
            ("Коментарі", "message"),
            ("Коментар про сайт", "message"),
            ("Побажання", "message"),
            ("Примітка", "message"),
            ("Додаткова інформація", "message"),
            ("Опис проблеми", "message"),
            ("Суть звернення", "message"),
            ("Comment or Message", "message"),
            ("Questions or comments", "message"),
            ("Additional comments", "message"),
            ("Additional notes", "message"),
            ("Notes", "message"),
            ("Your request", "message"),
            ("Special requests", "message"),
            ("Tell us about your project", "message"),
            ("Enquiry details", "message"),
            ("Запит", "message"),
            ("Ваш питання", "message"),
            ("Введіть повідомлення", "message"),
            ("Project Description", "message"),
            ("Primary Phone", "phone"),
            ("Secondary Phone", "phone"),
            ("Home Address", "address"),
            ("Номер запиту", "request_id"),
            ("Inquiry type and details", "message"),
            ("povidomlennya", "message"),
            // address
            ("Адреса:", "address"),
            ("Адреса об'єкта", "address"),
            ("Місто", "address"),
            ("Ваше місто", "address"),
            ("Населений пункт", "address"),
            ("Вулиця, будинок", "address"),
            ("Почтовый адрес", "address"),
            ("Поштова адреса", "address"),
            ("Postal address", "address"),
            ("Mailing address", "address"),
            ("Street address", "address"),
            ("Shipping address", "address"),
            ("City / State", "address"),
            ("Town", "address"),
            ("gorod", "address"),
            // visit_time
            ("Зручна дата заміру", "visit_time"),
            ("Коли приїхати на замір", "visit_time"),
            // product
            ("Послуга", "product"),
            ("Продукт", "product"),
            ("Interested in", "product"),
            // page
            ("Сторінка", "page"),
            ("Адреса сторінки", "page"),
            ("Посилання на товар", "page"),
            ("Landing page", "page"),
            ("Referral link", "page"),
            // form
            ("Назва форми", "form"),
            // ip
            ("IP адреса", "ip"),
            // LiveStreet feedback: the IP's caption is a whole sentence
            ("IP адрес, с которого было отправлено письмо", "ip"),
            ("IP адреса, з якої було відправлено цей лист", "ip"),
            ("IP address from which the message was sent", "ip"),
            ("IP-адрес клиента", "ip"),
            ("IP пользователя", "ip"),
            ("Sender IP", "ip"),
            ("Client IP address", "ip"),
            ("IPv4/IPv6", "ip"),
            // technical values the client never typed
            ("Агент користувача", "meta"),
            ("Browser", "meta"),
            ("Дата отправки", "meta"),
            ("Дата та час", "meta"),
            ("Submitted on", "meta"),
            ("Entry date", "meta"),
            ("Timestamp", "meta"),
            ("Date of submission", "meta"),
            ("User-Agent (Browser/OS)", "meta"),
            ("Отправлено", "meta"),
            ("Запрос отправлен", "meta"),
            ("Состав заказа", "product"),
            ("Е-мейл", "email"),
            ("Е-mail", "email"),
            ("Mail address", "email"),
            ("Выбранная услуга", "product"),
            ("Обрана послуга", "product"),
            ("Интересующий товар", "product"),
            ("Тема повідомлення", "meta"),
            ("Тема звернення", "meta"),
            // ids
            ("Номер запроса", "request_id"),
            ("Номер звернення", "request_id"),
        ];
        let mut wrong = Vec::new();
        for (label, want) in table {
            let got = l(label);
            if got != Some(*want) {
                wrong.push(format!("{label:?}: want {want}, got {got:?}"));
            }
        }
        // Near-misses: never the client's name, phone, e-mail, message or
        // address (they may be technical, a topic, or unknown).
        let client = ["name", "last_name", "phone", "email", "message", "address"];
        let negatives = [
            "Телефон менеджера",
            "Телефон администратора",
            "Телефон магазина",
            "Наш телефон",
            "Телефон компании",
            "Телефон офісу",
            "Факс",
            "Manager phone",
            "Office phone",
            "Support phone",
            "E-mail администратора",
            "E-mail менеджера",
            "Email получателя",
            "E-Mail адреса одержувачів",
            "Admin email",
            "Recipient email",
            "Our e-mail",
            "Ім'я отримувача",
            "Имя получателя",
            "Имя менеджера",
            "Company name",
            "Название компании",
            "Назва компанії",
            "Organization name",
            "Product name",
            "Website",
            "Сайт",
            "Username",
            "Sender IP",
            "IP адреса",
            "Адрес сайта",
            "Адрес страницы",
            "Страница отправки",
            "Тема",
            "Тема сообщения",
            "Тема повідомлення",
            "Введіть тему повідомлення",
            "Введите тему сообщения",
            "Subject",
            "Тип обращения",
            "Номер заказа",
            "Номер обращения",
            "Telegram",
            "Удобное время для звонка",
            "Зручний час для дзвінка",
            "Регион по IP",
            "User agent",
            "Дата отправки",
        ];
        for label in negatives {
            if let Some(c) = l(label).filter(|c| client.contains(c)) {
                wrong.push(format!("{label:?} must not be the client's, got {c}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Round 27b: a URL field the client fills (SureForms' `Ссылка на
    /// проект`, `Link to your design`, `Ссылка на фото`) holds their own
    /// file, not the page the form was sent from; `Ссылка на страницу` and
    /// `Page URL` still are the page.
    #[test]
    fn a_link_to_the_clients_project_or_photo_is_no_page() {
        let l = |s: &str| lookup(&normalize_label(s));
        assert_eq!(l("Ссылка на проект"), None);
        assert_eq!(l("Ссылка на фото"), None);
        assert_eq!(l("Посилання на креслення"), None);
        assert_eq!(l("Link to your design"), None);
        assert_eq!(l("Ссылка на страницу"), Some("page"));
        assert_eq!(l("Page URL"), Some("page"));
    }

    /// Round 10a: `Вы подписались на рассылку` (a tutorial's leftover label
    /// over the visitor's address) holds `ссылк` inside a word: the page
    /// keyword is a word start, so it is no page; `Габариты, мм` is the
    /// size of the order.
    #[test]
    fn a_word_holding_ssylk_is_no_page_and_gabarity_is_the_scope() {
        let l = |s: &str| lookup(&normalize_label(s));
        assert_eq!(l("Вы подписались на рассылку"), None);
        assert_eq!(l("Ссылка на страницу"), Some("page"));
        assert_eq!(l("Посилання"), Some("page"));
        assert_eq!(l("Габариты, мм"), Some("scope"));
        assert_eq!(l("Габарити"), Some("scope"));
    }

    /// Round 14c: cformsII's header line `Via: https://…/raschet/` names the
    /// page; Brizy's owner-typed `Що потрібно?` is the Ukrainian `Что нужно?`
    /// (a "what do you need" field, read as the message when answered in
    /// sentences).
    #[test]
    fn via_is_the_page_and_shcho_opens_a_what_do_you_need_field() {
        let l = |s: &str| lookup(&normalize_label(s));
        assert_eq!(l("Via"), Some("page"));
        assert_eq!(l("Що потрібно?"), Some("product"));
        assert_eq!(l("Що вас цікавить?"), Some("product"));
        assert_eq!(l("Что нужно?"), Some("product"));
    }

    /// Round 19b: Moodle local_contact's footer rows `Web Form: <referer>`
    /// (the page) and `From IP address: …` (the visitor's IP).
    #[test]
    fn web_form_is_the_page_and_from_ip_address_the_ip() {
        let l = |s: &str| lookup(&normalize_label(s));
        assert_eq!(l("Web Form"), Some("page"));
        assert_eq!(l("From IP address"), Some("ip"));
        assert_eq!(l("Form"), Some("form"));
    }

    /// Round 22c: a school's `Course:` / `Выбранный курс` and a dealer's
    /// `Inventory Item:` name the thing the client asks about (the product);
    /// a job board's `Cover Letter:` is the applicant's own text (message).
    #[test]
    fn course_and_inventory_item_are_the_product_and_cover_letter_the_message() {
        let l = |s: &str| lookup(&normalize_label(s));
        assert_eq!(l("Course"), Some("product"));
        assert_eq!(l("Выбранный курс"), Some("product"));
        assert_eq!(l("Курс"), Some("product"));
        assert_eq!(l("Inventory Item"), Some("product"));
        assert_eq!(l("Inventory URL"), Some("page"));
        assert_eq!(l("Cover Letter"), Some("message"));
        assert_eq!(l("Сопроводительное письмо"), Some("message"));
    }

    #[test]
    fn every_label_maps_to_a_canonical_name() {
        for (c, _) in labels() {
            assert!(is_canonical(c), "{c}");
        }
        for (c, _, _) in KEYWORDS {
            assert!(is_canonical(c), "{c}");
        }
        assert!(
            KEYWORD_RES
                .as_ref()
                .is_some_and(|k| k.exclude.len() == KEYWORDS.len())
        );
    }
}
