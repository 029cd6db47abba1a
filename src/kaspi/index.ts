/** The Kaspi protocol client: one module per surface, every call classified into a `KaspiError`. */
export * from './errors';
export { BROWSER_HEADERS, LOGIN_VIEWPORT, loginUserAgent } from './browser-identity';
export {
  BROWSER_USER_AGENT,
  DEFAULT_TIMEOUT_MS,
  PUSH_BAN_COOLDOWN_MS,
  closeDispatchers,
  cookieHeader,
  parseCookieHeader,
  type CabinetContext,
  type KaspiContext,
  type KaspiSession,
  type KaspiUrls,
  type ShopApiContext,
} from './http';
export * from './cities';
export {
  fetchOffers,
  fetchOffersPage,
  MAX_OFFERS_PAGE_SIZE,
  type CompetitorOffer,
  type FetchOffersParams,
  type OffersPage,
  type OffersResult,
} from './offers';
export {
  fetchAllOffers,
  fetchOfferDetails,
  fetchOfferListPage,
  jsonStoreId,
  offerListPages,
  productIdFromShopLink,
  MAX_OFFER_LIST_PAGE_SIZE,
  type CabinetOffer,
  type CityPrice,
  type OfferDetails,
  type OfferListPage,
  type OfferListParams,
  type PointAvailability,
  type UnreadableOffer,
} from './cabinet';
export { checkSession, fetchMerchant, type MerchantInfo, type PickupPoint } from './session';
export { pushPrice, pushPricesBatch, pricePushBody, type PricePush, type PushAvailability } from './pricefeed';
export {
  buildPriceListXml,
  buildPriceListXlsx,
  excelPriceListFile,
  uploadPriceList,
  xmlPriceListFile,
  type PriceList,
  type PriceListAvailability,
  type PriceListFile,
  type PriceListOffer,
  type UploadReply,
} from './price-list';
export {
  fetchOrderEntries,
  fetchOrders,
  fetchOrdersPage,
  ORDER_STATES,
  ORDER_STATUSES,
  MAX_ORDERS_PAGE_SIZE,
  type OrderEntry,
  type OrderState,
  type OrderStatus,
  type OrdersFilter,
  type OrdersPage,
  type ShopOrder,
} from './shop-api';
export { fetchReviews, type Review, type ReviewsPage, type ReviewsParams } from './reviews';
export {
  CHROMIUM_ARGS,
  launchBrowser,
  loginWithPassword,
  newLoginPage,
  SELECTORS,
  sessionFromContext,
  startPhoneLogin,
  submitSecurityCode,
  type LoginOptions,
  type LoginResult,
  type PhoneLoginStart,
} from './login';
