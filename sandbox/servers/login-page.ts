/**
 * The IDMC login page: one screen whose form switches between the email, password, phone and code steps
 * and talks to `/api/p/login`, with the element ids and classes of Kaspi's real page (`#user_email_field`,
 * `#password_field`, `#phone_tab`, `#user_phone_field`, `input[name="security-code"]`/`#sms_code_field`,
 * `.button.is-primary`, `.notification.is-danger`, `.help.is-danger`). Only the active step is in the DOM,
 * so each selector matches exactly one visible element.
 */
export const LOGIN_PAGE_HTML = `<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>Вход — Kaspi Магазин</title>
<style>
  body { font-family: sans-serif; max-width: 420px; margin: 40px auto; }
  .tabs ul { display: flex; gap: 16px; list-style: none; padding: 0; }
  .tabs a { cursor: pointer; }
  .tabs .is-active a { font-weight: bold; }
  .field { margin: 12px 0; }
  .input { width: 100%; padding: 6px; }
  .notification.is-danger { background: #f14668; color: #fff; padding: 8px; }
  .help.is-danger { color: #f14668; }
  .button.is-primary { background: #00d1b2; color: #fff; border: 0; padding: 8px 16px; }
</style>
</head>
<body>
<section class="section">
  <h1 class="title">Кабинет продавца</h1>
  <div class="tabs"><ul>
    <li class="is-active" id="email_tab_item"><a id="email_tab">Email</a></li>
    <li id="phone_tab_item"><a id="phone_tab">Телефон</a></li>
  </ul></div>
  <div id="login_form"></div>
</section>
<script>
(function () {
  var form = document.getElementById('login_form');
  function esc(text) {
    return String(text).replace(/[<>&"']/g, function (c) {
      return { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function danger(message) { return message ? '<div class="notification is-danger">' + esc(message) + '</div>' : ''; }
  function render(html) { form.innerHTML = html; }
  function $(selector) { return form.querySelector(selector); }
  function onSubmit(handler) {
    var button = $('.button.is-primary');
    var busy = false;
    button.addEventListener('click', function () {
      if (busy) return;
      busy = true;
      Promise.resolve(handler()).finally(function () { busy = false; });
    });
  }
  function api(body) {
    return fetch('/api/p/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    }, function () { return { status: 0, data: {} }; });
  }
  function failure(data) { return (data && data.message) || 'Сервис временно недоступен. Попробуйте позже'; }
  function selectTab(name) {
    document.getElementById('email_tab_item').className = name === 'email' ? 'is-active' : '';
    document.getElementById('phone_tab_item').className = name === 'phone' ? 'is-active' : '';
  }

  function emailStep(error, email) {
    selectTab('email');
    render(danger(error) +
      '<div class="field"><label class="label" for="user_email_field">Email</label>' +
      '<input id="user_email_field" class="input" type="email" name="username" value="' + esc(email || '') + '"></div>' +
      '<button class="button is-primary" type="button">Продолжить</button>');
    onSubmit(function () {
      var value = $('#user_email_field').value.trim();
      if (!value) return emailStep('Введите email');
      passwordStep(value);
    });
  }

  function passwordStep(email, error) {
    render(danger(error) +
      '<div class="field"><label class="label" for="user_email_field">Email</label>' +
      '<input id="user_email_field" class="input" type="email" name="username" value="' + esc(email) + '"></div>' +
      '<div class="field"><label class="label" for="password_field">Пароль</label>' +
      '<input id="password_field" class="input" type="password" name="password"></div>' +
      '<button class="button is-primary" type="button">Войти</button>');
    onSubmit(function () {
      var login = $('#user_email_field').value.trim();
      return api({ _u: login, _p: $('#password_field').value, _r_d: false }).then(function (r) {
        if (r.status === 200 && r.data.redirectUrl) { location.href = r.data.redirectUrl; return; }
        if (r.status === 200) { codeStep({ mfa: true, login: login }); return; }
        passwordStep(login, failure(r.data));
      });
    });
  }

  function maskPhone(value) {
    var digits = value.replace(/\\D/g, '');
    if (digits.length > 10 && (digits[0] === '7' || digits[0] === '8')) digits = digits.slice(1);
    digits = digits.slice(0, 10);
    var out = '+7 (' + digits.slice(0, 3);
    if (digits.length >= 3) out += ') ' + digits.slice(3, 6);
    if (digits.length >= 6) out += '-' + digits.slice(6, 8);
    if (digits.length >= 8) out += '-' + digits.slice(8, 10);
    return out;
  }

  function phoneStep(error) {
    selectTab('phone');
    render(danger(error) +
      '<div class="field"><label class="label" for="user_phone_field">Номер телефона</label>' +
      '<input id="user_phone_field" class="input" type="tel" name="phone" placeholder="+7 (___) ___-__-__"></div>' +
      '<button class="button is-primary" type="button">Получить код</button>');
    var field = $('#user_phone_field');
    field.addEventListener('input', function () { field.value = maskPhone(field.value); });
    onSubmit(function () {
      return api({ _ph: field.value }).then(function (r) {
        if (r.status === 200) { codeStep({ mfa: false }); return; }
        phoneStep(failure(r.data));
      });
    });
  }

  function codeStep(flow) {
    render('<p>Мы отправили SMS с кодом подтверждения</p>' +
      '<div class="field"><label class="label" for="sms_code_field">Код из SMS</label>' +
      '<input id="sms_code_field" class="input" name="security-code" inputmode="numeric" autocomplete="one-time-code">' +
      '<p class="help is-danger" hidden></p></div>' +
      '<button class="button is-primary" type="button">Подтвердить</button>');
    var help = $('.help.is-danger');
    onSubmit(function () {
      help.hidden = true;
      var code = $('#sms_code_field').value.trim();
      var body = flow.mfa ? { _u: flow.login, _m_c: code, _r_d: true } : { _c: code };
      return api(body).then(function (r) {
        if (r.status === 200 && r.data.redirectUrl) { location.href = r.data.redirectUrl; return; }
        help.textContent = failure(r.data);
        help.hidden = false;
      });
    });
  }

  document.getElementById('email_tab').addEventListener('click', function () { emailStep(); });
  document.getElementById('phone_tab').addEventListener('click', function () { phoneStep(); });
  emailStep();
})();
</script>
</body>
</html>
`;
