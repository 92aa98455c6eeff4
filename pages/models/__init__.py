from .about import AboutGalleryImage, AboutPage
from .base import StorefrontPage
from .conditions import ConditionPage, ConditionsIndexPage
from .contact import ContactFormField, ContactPage, ContactSubmission
from .home import HomeFeaturedCondition, HomePage
from .storefront_settings import NavigationMenu, NavigationMenuItem, StorefrontSettings
from .traceability import TraceabilityPage
from .wire import ArticleCategory, ArticlePage, ArticlePageTag, ArticleTag, WireIndexPage

__all__ = [
    "AboutGalleryImage",
    "AboutPage",
    "ArticleCategory",
    "ArticlePage",
    "ArticlePageTag",
    "ArticleTag",
    "ConditionPage",
    "ConditionsIndexPage",
    "ContactFormField",
    "ContactPage",
    "ContactSubmission",
    "HomeFeaturedCondition",
    "HomePage",
    "NavigationMenu",
    "NavigationMenuItem",
    "StorefrontPage",
    "StorefrontSettings",
    "TraceabilityPage",
    "WireIndexPage",
]
